import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serve } from "../../src/runtime/platform/node";
import { createGatewayStore } from "../../src/runtime/storage/gateway";
import { createS3Store } from "../../src/runtime/storage/s3";
import { createWorker } from "../../src/runtime/worker";
import { startTestIssuer, tenantClaims, type TestIssuer } from "../auth/helpers/issuer";
import { startS3, type S3TestServer } from "../helpers/s3";
import { until } from "../runtime/helpers/wait";
import { tempDirs } from "../storage/temp-dir";
import { startTestGateway, type TestGateway } from "./helpers/test-gateway";
import { dripRequest, startUpload } from "./helpers/raw-http";

/**
 * Probe finding 5: a body sent at one byte every 5 s kept its connection past 110 s, every
 * upload was held in memory (up to 256 MiB each), and uploads at once had no cap. Real
 * sockets on 127.0.0.1, with short limits so that "cut off" comes quickly.
 */
const newDir = tempDirs();
const MiB = 1024 * 1024;
let idp: TestIssuer;
let s3: S3TestServer;

beforeAll(async () => {
  idp = await startTestIssuer();
  s3 = await startS3();
});
afterAll(async () => {
  await s3?.close();
  await idp?.close();
});

const putHead = (gateway: TestGateway, token: string, key: string, size: number) =>
  `PUT /v1/object?key=${key} HTTP/1.1\r\nHost: ${new URL(gateway.url).host}\r\nAuthorization: Bearer ${token}\r\n` +
  `Content-Length: ${size}\r\nConnection: close\r\n\r\n`;

describe("slow clients are cut off", () => {
  let root: string;
  let gateway: TestGateway;

  beforeAll(async () => {
    root = await newDir();
    gateway = await startTestGateway(idp, root, {
      bodyProgress: { idleMs: 1000, minBytesPerSecond: 100 },
      maxBodyBytes: 2048,
      server: { timeouts: { headersMs: 1000 } },
    });
  });
  afterAll(() => gateway?.close());

  it("a body at one byte every 200 ms (under the idle limit, far under the rate) gets 408 BODY_TIMEOUT and its connection closed", async () => {
    const token = await idp.sign(tenantClaims("a"));
    const body = [..."x".repeat(60)];
    const answer = await dripRequest(gateway.url, putHead(gateway, token, "do/obj1/slow", body.length), body, 200);
    expect(answer.sent).toBeLessThan(body.length);
    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: "BODY_TIMEOUT" } });
    expect(await gateway.bucket.head("apps/prod/org=acme/tenant=a/do/obj1/slow")).toBeNull();
    expect(await readdir(join(root, ".dotdo-store/tmp"))).toEqual([]);
  });

  it("a body that stops arriving gets 408 BODY_TIMEOUT", async () => {
    const token = await idp.sign(tenantClaims("a"));
    const answer = await dripRequest(gateway.url, `${putHead(gateway, token, "do/obj1/stalled", 100)}${"x".repeat(10)}`, [], 1000);
    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: "BODY_TIMEOUT" } });
    expect(await gateway.bucket.head("apps/prod/org=acme/tenant=a/do/obj1/stalled")).toBeNull();
  });

  it("headers at one byte every 200 ms are cut off by the headers limit", async () => {
    const host = new URL(gateway.url).host;
    const answer = await dripRequest(gateway.url, `GET /v1/list HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n`, [...`X-Padding: ${"x".repeat(50)}\r\n\r\n`], 200);
    expect(answer.sent).toBeLessThan(60);
    expect([0, 408]).toContain(answer.status);
  });

  it("a server output cuts off headers at one byte every 200 ms too", async () => {
    const worker = await createWorker({ default: { fetch: () => new Response("ok") } }, { durableObjects: {} });
    const server = await serve(worker, { port: 0, host: "127.0.0.1", handleSignals: false, log: false, timeouts: { headersMs: 1000 } });
    try {
      const host = new URL(server.url).host;
      const answer = await dripRequest(server.url, `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n`, [...`X-Padding: ${"x".repeat(50)}\r\n\r\n`], 200);
      expect(answer.sent).toBeLessThan(60);
    } finally {
      await server.close();
    }
  });

  it("a body without Content-Length is refused with 413 BODY_TOO_LARGE as soon as it passes the limit", async () => {
    const token = await idp.sign(tenantClaims("a"));
    const host = new URL(gateway.url).host;
    const chunk = `200\r\n${"x".repeat(512)}\r\n`;
    const head =
      `PUT /v1/object?key=do/obj1/chunked HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\n` +
      `Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunk}${chunk}`;
    // Two pieces at once, then one more every 50 ms: far more than the limit, were it all sent.
    const answer = await dripRequest(gateway.url, head, Array(40).fill(chunk), 50);
    expect(answer.sent).toBeLessThan(40);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: "BODY_TOO_LARGE" } });
    expect(await gateway.bucket.head("apps/prod/org=acme/tenant=a/do/obj1/chunked")).toBeNull();
  });

  it("a body without Content-Length under the limit is stored", async () => {
    const token = await idp.sign(tenantClaims("a"));
    const host = new URL(gateway.url).host;
    const head =
      `PUT /v1/object?key=do/obj1/chunked-small HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\n` +
      `Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n`;
    expect((await dripRequest(gateway.url, head, [], 1000)).status).toBe(200);
    expect(await gateway.bucket.head("apps/prod/org=acme/tenant=a/do/obj1/chunked-small")).toMatchObject({ size: 3 });
  });
});

describe("uploads at once are capped per token and per tenant", () => {
  /** Starts an upload of 2 MiB and sends half, so that it holds its slots until `finish`. */
  async function hold(gateway: TestGateway, token: string, key: string): Promise<{ finish(): Promise<number> }> {
    const tmp = join(gateway.bucket.url.replace("file://", ""), ".dotdo-store/tmp");
    const before = (await readdir(tmp)).length;
    const upload = startUpload(gateway.url, token, key, 2 * MiB);
    await upload.write(MiB);
    // It holds its slots once the gateway has its first bytes in the bucket's temp folder.
    await until(async () => (await readdir(tmp)).length > before, 20_000);
    return {
      async finish() {
        await upload.write(MiB);
        return (await upload.response).status;
      },
    };
  }
  async function tryUpload(gateway: TestGateway, token: string, key: string): Promise<{ status: number; body: string }> {
    const upload = startUpload(gateway.url, token, key, 10);
    await upload.write(10);
    return upload.response;
  }
  const refusedFor = (holder: string) => ({ status: 429, body: expect.stringMatching(new RegExp(`"TOO_MANY_UPLOADS".*this ${holder} already has`)) });

  it("a token over its cap gets 429 TOO_MANY_UPLOADS while another token of its tenant still uploads, up to the tenant's ceiling", async () => {
    const gateway = await startTestGateway(idp, await newDir(), { maxUploadsPerToken: 2, maxUploadsPerTenant: 3 });
    try {
      const [first, second, third] = await Promise.all(["a-1", "a-2", "a-3"].map((jti) => idp.sign({ ...tenantClaims("a"), jti })));
      const held = [await hold(gateway, first!, "do/obj1/one"), await hold(gateway, first!, "do/obj1/two")];
      expect(await tryUpload(gateway, first!, "do/obj1/three")).toMatchObject(refusedFor("token"));

      held.push(await hold(gateway, second!, "do/obj1/four"));
      expect(await tryUpload(gateway, third!, "do/obj1/five")).toMatchObject(refusedFor("tenant"));
      expect((await tryUpload(gateway, await idp.sign({ ...tenantClaims("b"), jti: "a-1" }), "do/obj1/one")).status).toBe(200);

      expect(await Promise.all(held.map((upload) => upload.finish()))).toEqual([200, 200, 200]);
      expect((await tryUpload(gateway, first!, "do/obj1/three")).status).toBe(200);
    } finally {
      await gateway.close();
    }
  });

  it("a token without a jti is counted by its hash: its own cap, apart from another token's", async () => {
    const gateway = await startTestGateway(idp, await newDir(), { maxUploadsPerToken: 1 });
    try {
      const [first, second] = await Promise.all(["first", "second"].map((name) => idp.sign({ ...tenantClaims("a"), name })));
      const held = await hold(gateway, first!, "do/obj1/one");
      expect(await tryUpload(gateway, first!, "do/obj1/two")).toMatchObject(refusedFor("token"));
      expect((await tryUpload(gateway, second!, "do/obj1/two")).status).toBe(200);
      expect(await held.finish()).toBe(200);
    } finally {
      await gateway.close();
    }
  });
});

describe("uploads stream through the gateway", () => {
  it("four 64 MiB uploads at once to the file store stay far below their total in memory", async () => {
    const gateway = await startTestGateway(idp, await newDir(), { maxUploadsPerTenant: 4 });
    try {
      const token = await idp.sign(tenantClaims("a"));
      const size = 64 * MiB;
      // Live buffers rather than RSS, which an earlier test's freed memory would hide growth in;
      // collected first, so that the earlier tests' garbage does not count.
      collectGarbage();
      const before = process.memoryUsage().arrayBuffers;
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 5);
      try {
        const uploads = [1, 2, 3, 4].map((n) => startUpload(gateway.url, token, `do/obj1/big-${n}`, size));
        await Promise.all(uploads.map((upload) => upload.write(size)));
        const answers = await Promise.all(uploads.map((upload) => upload.response));
        expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
      } finally {
        clearInterval(sampler);
      }
      for (const n of [1, 2, 3, 4]) {
        expect(await gateway.bucket.head(`apps/prod/org=acme/tenant=a/do/obj1/big-${n}`)).toMatchObject({ size });
      }
      // Buffered, the four bodies alone would be 256 MiB (twice that while being joined).
      expect((peak - before) / MiB).toBeLessThan(128);
    } finally {
      await gateway.close();
    }
  });

  it("half a body is in the file store's temp file before the other half is sent", async () => {
    const root = await newDir();
    const gateway = await startTestGateway(idp, root);
    try {
      const upload = startUpload(gateway.url, await idp.sign(tenantClaims("a")), "do/obj1/half", 8 * MiB);
      await upload.write(4 * MiB);
      await tempFileReaches(root, 3 * MiB);
      await upload.write(4 * MiB);
      expect((await upload.response).status).toBe(200);
      expect(await gateway.bucket.head("apps/prod/org=acme/tenant=a/do/obj1/half")).toMatchObject({ size: 8 * MiB });
    } finally {
      await gateway.close();
    }
  });

  it("the gateway client store sends a streamed body as it comes: half is in the gateway's temp file before the rest is given", async () => {
    const root = await newDir();
    const gateway = await startTestGateway(idp, root);
    try {
      const client = createGatewayStore({ url: gateway.url, token: await idp.sign(tenantClaims("a")) });
      let feed!: ReadableStreamDefaultController<Uint8Array>;
      const stream = new ReadableStream<Uint8Array>({ start: (controller) => void (feed = controller) });
      const put = client.put("do/obj1/relayed", { stream, size: 8 * MiB });
      for (let n = 0; n < 4; n++) feed.enqueue(new Uint8Array(MiB).fill(n));
      // Read whole first, nothing would leave the client until the stream had ended.
      await tempFileReaches(root, 3 * MiB);
      for (let n = 4; n < 8; n++) feed.enqueue(new Uint8Array(MiB).fill(n));
      feed.close();
      expect(await put).toMatchObject({ key: "do/obj1/relayed", size: 8 * MiB });
      const stored = await gateway.bucket.get("apps/prod/org=acme/tenant=a/do/obj1/relayed");
      expect(stored?.body.filter((byte, at) => byte !== Math.floor(at / MiB))).toHaveLength(0);
    } finally {
      await gateway.close();
    }
  });

  it("the gateway client store in workerd relays an upload as it comes: half is in the gateway's temp file before the rest is sent", async () => {
    const root = await newDir();
    const gateway = await startTestGateway(idp, root);
    const bundle = await build({ entryPoints: [join(import.meta.dirname, "fixtures", "relay-worker.ts")], bundle: true, format: "esm", platform: "browser", write: false, logLevel: "silent" });
    const relay = new Miniflare({
      modules: true,
      script: bundle.outputFiles[0]?.text ?? "",
      compatibilityDate: "2025-09-01",
      bindings: { GATEWAY_URL: gateway.url, TOKEN: await idp.sign(tenantClaims("a")) },
    });
    try {
      const relayUrl = (await relay.ready).href.replace(/\/$/, "");
      const upload = startUpload(relayUrl, "unused", "do/obj1/relayed", 8 * MiB);
      await upload.write(4 * MiB);
      await tempFileReaches(root, 3 * MiB);
      await upload.write(4 * MiB);
      expect(await upload.response).toMatchObject({ status: 200 });
      expect(await gateway.bucket.head("apps/prod/org=acme/tenant=a/do/obj1/relayed")).toMatchObject({ size: 8 * MiB });
    } finally {
      await relay.dispose();
      await gateway.close();
    }
  });

  it("the gateway client store refuses a streamed body that ends short with INVALID_ARGUMENT, and nothing is stored", async () => {
    const gateway = await startTestGateway(idp, await newDir());
    try {
      const client = createGatewayStore({ url: gateway.url, token: await idp.sign(tenantClaims("a")) });
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new Uint8Array(MiB));
          controller.close();
        },
      });
      await expect(client.put("do/obj1/short", { stream, size: 2 * MiB })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      expect(await gateway.bucket.head("apps/prod/org=acme/tenant=a/do/obj1/short")).toBeNull();
    } finally {
      await gateway.close();
    }
  });

  it("the S3 upload starts before the client has sent the whole body", async () => {
    const store = createS3Store({
      bucket: s3.bucket,
      endpoint: s3.endpoint,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    const gateway = await startTestGateway(idp, await newDir(), { store });
    try {
      const upload = startUpload(gateway.url, await idp.sign(tenantClaims("a")), "do/obj1/half", 8 * MiB);
      await upload.write(4 * MiB);
      // The S3 server's proxy logs a request as soon as its headers arrive.
      await until(async () => s3.requests.some((seen) => seen.method === "PUT" && seen.path.includes("obj1/half")), 20_000);
      await upload.write(4 * MiB);
      expect((await upload.response).status).toBe(200);
      expect(await store.head("apps/prod/org=acme/tenant=a/do/obj1/half")).toMatchObject({ size: 8 * MiB });
    } finally {
      await gateway.close();
    }
  });
});

/** Waits until one of the file store's temp files under `root` holds `bytes` or more. */
async function tempFileReaches(root: string, bytes: number): Promise<void> {
  const tmp = join(root, ".dotdo-store/tmp");
  await until(async () => {
    const sizes = await Promise.all((await readdir(tmp)).map(async (name) => (await stat(join(tmp, name)).catch(() => undefined))?.size ?? 0));
    return sizes.some((written) => written >= bytes);
  }, 20_000);
}

/** A full garbage collection (node's `gc`, reached without --expose-gc on the command line). */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}
