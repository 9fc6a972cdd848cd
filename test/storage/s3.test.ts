import { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { mapLimit } from "../../src/runtime/concurrency";
import { createStore } from "../../src/runtime/storage/create";
import { DELETE_BATCH, deleteKeys } from "../../src/runtime/storage/delete-keys";
import { guardPreconditions, PROBE_PREFIX } from "../../src/runtime/storage/guard";
import { withPrefix } from "../../src/runtime/storage/prefix";
import { createS3Store, type S3StoreOptions } from "../../src/runtime/storage/s3";
import { directPut } from "../../src/runtime/storage/s3-direct";
import type { S3Provider } from "../../src/runtime/storage/s3-provider";
import { startFaultyProxy } from "../helpers/faulty-proxy";
import { sentBySdk, startS3, type S3TestServer } from "../helpers/s3";
import { describeStoreContract } from "./contract";

const bytes = (text: string) => new TextEncoder().encode(text);

let s3: S3TestServer;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  await s3?.close();
});

const options = (endpoint = s3.endpoint, provider?: S3Provider): S3StoreOptions => ({
  bucket: s3.bucket,
  endpoint,
  provider,
  credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
});

describeStoreContract("s3", async () => withPrefix(createS3Store(options()), `contract/${crypto.randomUUID()}`));

describe("s3 store", () => {
  it("refuses writes to a server that ignores conditional writes", async () => {
    const raw = createS3Store(options(s3.rawEndpoint));
    // s3rver alone lets a second create-only write through: the very hazard the probe catches.
    await raw.put("unsafe/twice", bytes("1"), { ifNoneMatch: "*" });
    await expect(raw.put("unsafe/twice", bytes("2"), { ifNoneMatch: "*" })).resolves.toMatchObject({ size: 1 });

    const guarded = guardPreconditions(raw);
    const refused = guarded.put("unsafe/state", bytes("x"));
    await expect(refused).rejects.toMatchObject({ code: "STORE_IGNORES_PRECONDITIONS", url: raw.url });
    await expect(refused).rejects.toThrow(/DOTDO_SINGLE_INSTANCE/);
    await expect(guarded.delete("unsafe/twice")).rejects.toMatchObject({ code: "STORE_IGNORES_PRECONDITIONS" });
    expect(await raw.head("unsafe/state")).toBeNull();
    // Reads stay allowed, and the probe cleaned up after itself.
    expect(await guarded.head("unsafe/twice")).not.toBeNull();
    expect((await raw.list(PROBE_PREFIX)).objects).toEqual([]);
  });

  it("writes to that server in single-instance mode", async () => {
    const store = guardPreconditions(createS3Store(options(s3.rawEndpoint)), { singleInstance: true });
    await store.put("single/state", bytes("x"));
    expect((await store.get("single/state"))?.body).toEqual(bytes("x"));
  });

  it("takes single-instance mode from DOTDO_SINGLE_INSTANCE", async () => {
    const env = {
      DOTDO_STORAGE: `s3://${s3.bucket}/single-env`,
      AWS_ENDPOINT_URL: s3.rawEndpoint,
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    };
    const refused = await createStore(env);
    await expect(refused.put("k", bytes("v"))).rejects.toMatchObject({ code: "STORE_IGNORES_PRECONDITIONS" });
    const allowed = await createStore({ ...env, DOTDO_SINGLE_INSTANCE: "1" });
    await allowed.put("k", bytes("v"));
    expect((await allowed.get("k"))?.body).toEqual(bytes("v"));
  });

  it("passes the probe through the enforcing proxy", async () => {
    const store = guardPreconditions(withPrefix(createS3Store(options()), "probed"));
    await store.put("state", bytes("x"));
    expect((await store.get("state"))?.body).toEqual(bytes("x"));
    expect((await store.list(PROBE_PREFIX)).objects).toEqual([]);
  });

  it("is configured from DOTDO_STORAGE=s3://bucket/prefix and the AWS variables", async () => {
    const store = await createStore({
      DOTDO_STORAGE: `s3://${s3.bucket}/env/scoped`,
      AWS_ENDPOINT_URL: s3.endpoint,
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    });
    expect(store.url).toBe(`s3://${s3.bucket}/env/scoped`);
    await store.put("k", bytes("v"), { ifNoneMatch: "*" });
    const bucketWide = createS3Store(options());
    expect((await bucketWide.list("env/")).objects.map((o) => o.key)).toEqual(["env/scoped/k"]);
  });

  it("is configured from the R2_* variables", async () => {
    const store = await createStore({
      R2_ENDPOINT: s3.endpoint,
      R2_BUCKET: s3.bucket,
      R2_ACCESS_KEY_ID: s3.accessKeyId,
      R2_SECRET_ACCESS_KEY: s3.secretAccessKey,
    });
    await store.put("r2-env/k", bytes("v"));
    expect((await store.get("r2-env/k"))?.body).toEqual(bytes("v"));
  });

  it("asks Tigris for consistent reads on every request", async () => {
    const store = withPrefix(createS3Store(options(s3.endpoint, "tigris")), "tigris");
    const seen = s3.requests.length;
    await store.put("k", bytes("v"));
    await store.get("k");
    const sent = s3.requests.slice(seen);
    expect(sent.map((r) => r.method)).toEqual(["PUT", "GET"]);
    for (const request of sent) expect(request.headers["x-tigris-consistent"]).toBe("true");
  });

  it("spells create-only as generation 0 for GCS", async () => {
    const store = withPrefix(createS3Store(options(s3.endpoint, "gcs")), "gcs");
    const seen = s3.requests.length;
    await store.put("k", bytes("v"), { ifNoneMatch: "*" });
    const again = store.put("k", bytes("w"), { ifNoneMatch: "*" });
    await expect(again).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
    for (const request of s3.requests.slice(seen)) {
      expect(request.headers["x-goog-if-generation-match"]).toBe("0");
      expect(request.headers["if-none-match"]).toBeUndefined();
    }
  });

  it("puts bytes in one request without the SDK's machinery, and sends anything but a plain success again through the SDK", async () => {
    const store = withPrefix(createS3Store(options()), `direct/${crypto.randomUUID()}`);
    const key = "a b+c!'()*~ü/ключ.txt";
    let seen = s3.requests.length;
    const first = await store.put(key, bytes("v1"), { ifNoneMatch: "*" });
    const direct = s3.requests.slice(seen);
    expect(direct.map((r) => r.method)).toEqual(["PUT"]);
    expect(sentBySdk(direct[0]!)).toBe(false);
    expect(direct[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
    expect((await store.list("")).objects.map((object) => object.key)).toEqual([key]);

    seen = s3.requests.length;
    const second = await store.put(key, bytes("v2"), { ifMatch: first.etag });
    expect(s3.requests.slice(seen).map((r) => r.method)).toEqual(["PUT"]);
    expect((await store.get(key))?.body).toEqual(bytes("v2"));

    seen = s3.requests.length;
    await expect(store.put(key, bytes("v3"), { ifMatch: first.etag })).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
    const refused = s3.requests.slice(seen);
    expect(refused.map((r) => r.method)).toEqual(["PUT", "PUT"]);
    expect(sentBySdk(refused[1]!)).toBe(true);
    expect((await store.head(key))?.etag).toBe(second.etag);
  });

  it("puts direct only where it can name the bucket as the SDK does: an endpoint, and a bucket fit for a host name unless path-style", () => {
    const client = new S3Client({ region: "auto" });
    const direct = (bucket: string, endpoint: string | undefined, forcePathStyle: boolean) => directPut(client, { bucket, endpoint, forcePathStyle, rewrite: undefined });
    expect(direct("my-bucket", "https://s3.example", false)).toBeTypeOf("function");
    expect(direct("my.bucket", "https://s3.example", true)).toBeTypeOf("function");
    expect(direct("my.bucket", "https://s3.example", false)).toBeUndefined();
    expect(direct("my-bucket", undefined, false)).toBeUndefined();
    client.destroy();
  });

  it("signs direct puts with the clock the SDK corrected, once the store said ours is off", async () => {
    // Only this process's clock runs 20 minutes fast: s3rver, in its own, refuses the skew.
    vi.useFakeTimers({ now: Date.now() + 20 * 60_000, toFake: ["Date"] });
    try {
      const store = withPrefix(createS3Store(options()), `skew/${crypto.randomUUID()}`);
      await store.put("first", bytes("1")); // refused direct, then the SDK learns the offset and retries
      const seen = s3.requests.length;
      await store.put("second", bytes("2"));
      const sent = s3.requests.slice(seen);
      expect(sent.map((r) => r.method)).toEqual(["PUT"]);
      expect(sentBySdk(sent[0]!)).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it("reads a refusal that comes back cut short as a refusal, direct and again through the SDK, and keeps the stored object", async () => {
    const proxy = await startFaultyProxy(s3.endpoint);
    try {
      const store = withPrefix(createS3Store(options(proxy.url)), `cut/${crypto.randomUUID()}`);
      await store.put("k", bytes("v"), { ifNoneMatch: "*" });
      // From here every answer with a body (the 412's XML) stops half-way and its connection is reset.
      proxy.set("truncate");
      await expect(store.put("k", bytes("w"), { ifNoneMatch: "*" })).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
      expect(proxy.faulted.get("truncate")).toBeGreaterThan(0);
      proxy.set("none");
      expect((await store.get("k"))?.body).toEqual(bytes("v"));
    } finally {
      await proxy.close();
    }
  });

  it("deletes many keys with one DeleteObjects request per 1,000, and one by one on GCS (it has none)", async () => {
    const store = withPrefix(createS3Store(options()), `many/${crypto.randomUUID()}`);
    const keys = Array.from({ length: DELETE_BATCH + 2 }, (_, n) => `k/${n}`);
    await mapLimit(keys, 16, (key) => store.put(key, bytes("x")));
    const seen = s3.requests.length;
    await deleteKeys(store, keys);
    expect(s3.requests.slice(seen).map((r) => `${r.method} ${new URL(r.path, "http://x").search}`)).toEqual(["POST ?delete=", "POST ?delete="]);
    expect((await store.list("k/")).objects).toEqual([]);

    const gcs = withPrefix(createS3Store(options(s3.endpoint, "gcs")), `many-gcs/${crypto.randomUUID()}`);
    for (const key of ["a", "b"]) await gcs.put(key, bytes("x"));
    const before = s3.requests.length;
    await deleteKeys(gcs, ["a", "b", "missing"]);
    expect(s3.requests.slice(before).map((r) => r.method)).toEqual(["DELETE", "DELETE", "DELETE"]);
    expect((await gcs.list("")).objects).toEqual([]);
  });

  it("names the operation, key and status when the server fails", async () => {
    const store = createS3Store({ ...options(), bucket: "no-such-bucket" });
    await expect(store.put("k", bytes("v"))).rejects.toMatchObject({
      code: "STORAGE_REQUEST_FAILED",
      operation: "put",
      key: "k",
      message: expect.stringMatching(/HTTP 404/),
    });
  });
});
