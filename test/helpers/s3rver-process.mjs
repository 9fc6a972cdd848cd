// s3rver for test/helpers/s3.ts, in a process of its own: s3rver encrypts list continuation
// tokens with DES, which Node's OpenSSL 3 only offers with --openssl-legacy-provider, a
// flag that cannot be turned on inside the test process.
import S3rver from "s3rver";

const { directory, bucket } = JSON.parse(process.argv[2] ?? "{}");
const server = new S3rver({ address: "127.0.0.1", port: 0, directory, silent: true, configureBuckets: [{ name: bucket }] });
const { port } = await server.run();
process.send?.({ port });
process.on("disconnect", () => {
  server.close().finally(() => process.exit(0));
});
