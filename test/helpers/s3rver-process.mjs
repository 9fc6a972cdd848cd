// s3rver for test/helpers/s3.ts, in a process of its own: s3rver encrypts list continuation
// tokens with DES, which Node's OpenSSL 3 only offers with --openssl-legacy-provider, a
// flag that cannot be turned on inside the test process.
import { stat } from "node:fs/promises";
import S3rver from "s3rver";

const { directory, bucket } = JSON.parse(process.argv[2] ?? "{}");
const server = new S3rver({ address: "127.0.0.1", port: 0, directory, silent: true, configureBuckets: [{ name: bucket }] });
// s3rver deletes the keys of one DeleteObjects request all at once, and each delete removes the
// folders it left empty: two racing for one folder fail the whole request with a 500. Real S3
// has no folders, so s3rver's deletes run one after another here.
const deleteObject = server.store.deleteObject.bind(server.store);
let deletes = Promise.resolve();
server.store.deleteObject = (...args) => (deletes = deletes.catch(() => undefined).then(() => deleteObject(...args)));
// s3rver answers a PUT once the body has passed its hashing stream, while the file it pipes
// into may still be writing (see its stores/filesystem.js putObject): a GET right after the
// answer could read the object short. S3 reads back what it acknowledged, so here the answer
// waits until the file holds every byte. Found by reading s3rver; a likely cause of a lease
// file once read back unparsable under the full suite's load.
const putObject = server.store.putObject.bind(server.store);
server.store.putObject = async (object) => {
  const written = await putObject(object);
  const file = server.store.getResourcePath(object.bucket, object.key, "object");
  // Bounded, and a file gone counts as done: a later write or delete of the same key (straight
  // to s3rver, past the proxy) may shrink or remove it.
  const size = () => stat(file).then((stats) => stats.size, () => Infinity);
  for (const until = Date.now() + 2_000; Date.now() < until && (await size()) < written.size; ) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return written;
};
const { port } = await server.run();
process.send?.({ port });
process.on("disconnect", () => {
  server.close().finally(() => process.exit(0));
});
