import { createHash } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestIssuer, tenantClaims, type TestIssuer } from "../auth/helpers/issuer";
import { until } from "../runtime/helpers/wait";
import { tempDirs } from "../storage/temp-dir";
import { startUpload } from "./helpers/raw-http";
import { startWorkerGateway, type WorkerGateway } from "./helpers/worker-gateway";

/**
 * The Worker gateway passes an upload on to its R2 binding as it arrives, instead of reading it
 * whole into the isolate first. Seen from outside workerd: miniflare's R2 writes each object's
 * bytes to a blob file as they come, so half an upload is on disk before the client has sent
 * the other half.
 */
const newDir = tempDirs();
const MiB = 1024 * 1024;
let idp: TestIssuer;
let gateway: WorkerGateway;
let persist: string;

beforeAll(async () => {
  idp = await startTestIssuer();
  persist = await newDir();
  gateway = await startWorkerGateway(idp, { r2Persist: persist });
});
afterAll(async () => {
  await gateway?.close();
  await idp?.close();
});

/** Sizes of the blob files miniflare's R2 is writing or has written. */
async function blobSizes(): Promise<number[]> {
  const dir = join(persist, "BUCKET", "blobs");
  const names = await readdir(dir).catch(() => [] as string[]);
  return Promise.all(names.map(async (name) => (await stat(join(dir, name)).catch(() => undefined))?.size ?? 0));
}

describe("uploads stream through the Worker gateway to R2", () => {
  it("half a body is in R2's blob file before the other half is sent, and the whole body is stored", async () => {
    const size = 8 * MiB;
    const upload = startUpload(gateway.url, await idp.sign(tenantClaims("a")), "do/obj1/half", size);
    await upload.write(size / 2);
    // Buffered, nothing would reach R2 until the last byte had arrived.
    await until(async () => (await blobSizes()).some((written) => written >= 3 * MiB), 20_000);
    await upload.write(size / 2);
    expect((await upload.response).status).toBe(200);
    const md5 = createHash("md5").update(Buffer.alloc(size, 0x61)).digest("hex");
    expect(await gateway.bucket.head("apps/prod/org=acme/tenant=a/do/obj1/half")).toMatchObject({ size, etag: md5 });
  });

  it("a body without Content-Length is still taken (read up to the limit first)", async () => {
    const response = await fetch(`${gateway.url}/v1/object?key=do/obj1/chunked`, {
      method: "PUT",
      headers: { authorization: `Bearer ${await idp.sign(tenantClaims("a"))}` },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("abc"));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(200);
    expect(await gateway.bucket.head("apps/prod/org=acme/tenant=a/do/obj1/chunked")).toMatchObject({ size: 3 });
  });
});
