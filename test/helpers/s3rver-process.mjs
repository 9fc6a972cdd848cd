// s3rver for test/helpers/s3.ts, in a process of its own: s3rver encrypts list continuation
// tokens with DES, which Node's OpenSSL 3 only offers with --openssl-legacy-provider, a
// flag that cannot be turned on inside the test process.
import S3rver from "s3rver";

const { directory, bucket } = JSON.parse(process.argv[2] ?? "{}");
const server = new S3rver({ address: "127.0.0.1", port: 0, directory, silent: true, configureBuckets: [{ name: bucket }] });
// s3rver deletes the keys of one DeleteObjects request all at once, and each delete removes the
// folders it left empty: two racing for one folder fail the whole request with a 500. Real S3
// has no folders, so s3rver's deletes run one after another here.
const deleteObject = server.store.deleteObject.bind(server.store);
let deletes = Promise.resolve();
server.store.deleteObject = (...args) => (deletes = deletes.catch(() => undefined).then(() => deleteObject(...args)));
const { port } = await server.run();
process.send?.({ port });
process.on("disconnect", () => {
  server.close().finally(() => process.exit(0));
});
