import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guardPreconditions, PROBE_PREFIX } from "../../src/runtime/storage/guard";
import { withPrefix } from "../../src/runtime/storage/prefix";
import { createR2Store, type R2BucketLike } from "../../src/runtime/storage/r2";
import { describeStoreContract } from "./contract";

// miniflare runs workerd's real R2 binding; the bucket is driven from Node through it.
let mf: Miniflare;
let bucket: R2BucketLike;
beforeAll(async () => {
  mf = new Miniflare({
    modules: true,
    script: "export default { fetch() { return new Response('') } }",
    r2Buckets: ["B"],
  });
  bucket = await mf.getR2Bucket("B");
});
afterAll(async () => {
  await mf?.dispose();
});

describeStoreContract("r2", async () => withPrefix(createR2Store(bucket, "B"), `contract/${crypto.randomUUID()}`));

describe("r2 store", () => {
  it("turns the binding's null answer to a failed condition into an error", async () => {
    // The raw binding does not throw: it answers null, which must never pass for success.
    await bucket.put("raw/k", new TextEncoder().encode("1"));
    expect(await bucket.put("raw/k", new TextEncoder().encode("2"), { onlyIf: { etagDoesNotMatch: "*" } })).toBeNull();

    const store = createR2Store(bucket, "B");
    await expect(store.put("raw/k", new TextEncoder().encode("2"), { ifNoneMatch: "*" })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      key: "raw/k",
    });
  });

  it("passes the precondition probe", async () => {
    const store = guardPreconditions(createR2Store(bucket, "B"));
    await store.put("probed", new TextEncoder().encode("x"));
    expect((await store.list(PROBE_PREFIX)).objects).toEqual([]);
  });
});
