import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FencedError } from "../../src/runtime/persistence/errors";
import { ObjectPersistence } from "../../src/runtime/persistence/object-persistence";
import { guardPreconditions } from "../../src/runtime/storage/guard";
import { withPrefix } from "../../src/runtime/storage/prefix";
import { createR2Store } from "../../src/runtime/storage/r2";
import { createS3Store } from "../../src/runtime/storage/s3";
import type { ObjectStore } from "../../src/runtime/storage/types";
import { startS3, type S3TestServer } from "../helpers/s3";
import { createRandomDatabase } from "./arbitraries";
import { dumpDatabase, openDatabase } from "./sqlite";

// The same protocol on the real wire formats: S3 (s3rver behind the test proxy that enforces
// conditional writes, see test/helpers/s3.ts) and R2 through workerd's binding in miniflare.
let s3: S3TestServer;
let mf: Miniflare;
const stores: Record<string, () => ObjectStore> = {};

beforeAll(async () => {
  s3 = await startS3();
  mf = new Miniflare({ modules: true, script: "export default { fetch() { return new Response('') } }", r2Buckets: ["B"] });
  const bucket = await mf.getR2Bucket("B");
  const s3Store = guardPreconditions(
    createS3Store({
      bucket: s3.bucket,
      endpoint: s3.endpoint,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    }),
  );
  const r2Store = guardPreconditions(createR2Store(bucket, "B"));
  stores.s3 = () => withPrefix(s3Store, `do/${crypto.randomUUID()}`);
  stores.r2 = () => withPrefix(r2Store, `do/${crypto.randomUUID()}`);
});

afterAll(async () => {
  await s3?.close();
  await mf?.dispose();
});

describe.each(["s3", "r2"])("checkpoints on %s", (backend) => {
  it("round-trips a database, fences a second writer and lets it take over after release", async () => {
    const store = stores[backend]!();
    const source = await openDatabase();
    const writer = new ObjectPersistence({ store, port: source.port, holder: "writer", chunkRows: 3 });
    createRandomDatabase(source.port, {
      tables: [
        { name: "t", kind: "rowid", columns: [{ name: "a", type: "" }, { name: "b", type: "TEXT" }], rows: [[1n, 2.5, "x"], [2n, null, new Uint8Array([1])], [3n, -7n, "z"], [4n, "w", null]] },
        { name: "kv", kind: "without-rowid", columns: [{ name: "k", type: "TEXT" }, { name: "v", type: "BLOB" }], rows: [[null, "a", new Uint8Array([0, 255])]] },
      ],
      withExtras: true,
    });
    await writer.checkpoint();
    source.port.exec("UPDATE t SET b = 'changed' WHERE rowid = 2");
    expect((await writer.checkpoint())?.tablesWritten).toEqual(["t"]);

    const other = await openDatabase();
    const second = new ObjectPersistence({ store, port: other.port, holder: "second" });
    await second.restore();
    expect(dumpDatabase(other.port)).toEqual(dumpDatabase(source.port));
    const held = await second.acquireLease().catch((e: unknown) => e);
    expect(held).toBeInstanceOf(FencedError);
    expect((held as FencedError).code).toBe("LEASE_HELD");

    await writer.releaseLease();
    expect((await second.acquireLease()).generation).toBe(2);
    other.port.exec("INSERT INTO t (a) VALUES ('second')");
    expect((await second.checkpoint())?.generation).toBe(2);
    source.port.exec("INSERT INTO t (a) VALUES ('stale writer')");
    await expect(writer.checkpoint()).rejects.toMatchObject({ code: "LEASE_HELD" });
  });
});
