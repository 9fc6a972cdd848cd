import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { rawRequest } from "../gateway/helpers/raw-http";
import { readSqlWasm, serve, type Server } from "../../src/runtime/platform/node";
import { createWorker } from "../../src/runtime/worker";
import * as objects from "./helpers/objects";

let server: Server;
let disposed = false;
beforeAll(async () => {
  const worker = await createWorker(objects, {
    durableObjects: { COUNTER: { className: "Counter" } },
    sqlWasm: await readSqlWasm(),
  });
  const dispose = worker.dispose;
  worker.dispose = async () => {
    disposed = true;
    await dispose();
  };
  server = await serve(worker, { port: 0, host: "127.0.0.1", handleSignals: false, log: false });
});
afterAll(() => server.close());

describe("node serve", () => {
  it("answers real HTTP requests through the Worker", async () => {
    const response = await fetch(`${server.url}/some/path`, { method: "POST", body: "ignored" });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("worker /some/path COUNTER");
  });

  it("has a health endpoint, and a readiness endpoint that reports the store", async () => {
    const response = await fetch(`${server.url}/__dotdo/health`);
    expect(await response.json()).toEqual({ ok: true, store: "ok" });
    const ready = await fetch(`${server.url}/__dotdo/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, store: "ok" });
  });

  it("keeps metrics behind DOTDO_METRICS_TOKEN when set, and health details with them (probe finding 8)", async () => {
    const worker = await createWorker(objects, { durableObjects: { COUNTER: { className: "Counter" } }, sqlWasm: await readSqlWasm() });
    const guarded = await serve(worker, { port: 0, host: "127.0.0.1", handleSignals: false, log: false, metricsToken: "scrape-me" });
    try {
      const metrics = (authorization?: string) => fetch(`${guarded.url}/__dotdo/metrics`, { headers: authorization ? { authorization } : {} });
      for (const refused of [undefined, "Bearer scrape-m", "Bearer scrape-me2", "Basic scrape-me"]) {
        const response = await metrics(refused);
        expect(response.status).toBe(401);
        expect(await response.json()).toMatchObject({ error: { code: "METRICS_TOKEN_REQUIRED" } });
      }
      const allowed = await metrics("Bearer scrape-me");
      expect(allowed.status).toBe(200);
      expect(await allowed.text()).toContain("dotdo_requests_total");
      expect(await (await fetch(`${guarded.url}/__dotdo/health`)).json()).toEqual({ ok: true });
      expect(await (await fetch(`${guarded.url}/__dotdo/ready`)).json()).toEqual({ ready: true });
      const detailed = await fetch(`${guarded.url}/__dotdo/ready`, { headers: { authorization: "Bearer scrape-me" } });
      expect(await detailed.json()).toEqual({ ready: true, store: "ok" });
    } finally {
      await guarded.close();
    }
  });

  it("disposes the worker when closed", async () => {
    await server.close();
    expect(disposed).toBe(true);
  });

  it("cuts a request that never finishes once the objects are disposed, so a stop is bounded", async () => {
    const hanging = { default: { fetch: () => new Promise<Response>(() => undefined) } };
    const worker = await createWorker(hanging, { durableObjects: {}, sqlWasm: await readSqlWasm() });
    const stuck = await serve(worker, { port: 0, host: "127.0.0.1", handleSignals: false, log: false });
    const request = fetch(`${stuck.url}/never`).then(
      () => "answered",
      () => "cut",
    );
    await new Promise((resolve) => setTimeout(resolve, 100)); // the request has reached the Worker
    await stuck.close();
    expect(await request).toBe("cut");
  }, 15_000);
});

describe("node serve: the largest request body", () => {
  const seen: string[] = [];
  const reader = {
    default: {
      async fetch(request: Request) {
        seen.push(request.method);
        try {
          return new Response(`read ${(await request.arrayBuffer()).byteLength} bytes`);
        } catch (error) {
          seen.push((error as { code?: string }).code ?? String(error));
          return new Response("could not read the body", { status: 500 });
        }
      },
    },
  };
  let small: Server;
  beforeAll(async () => {
    small = await serve(await createWorker(reader, { durableObjects: {} }), { port: 0, host: "127.0.0.1", handleSignals: false, log: false, maxBodyBytes: 1024 });
  });
  afterAll(() => small.close());

  it("answers 413 BODY_TOO_LARGE to a body declared larger, without waking the Worker", async () => {
    seen.length = 0;
    const answer = await rawRequest(small.url, `POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 2048\r\n\r\n`);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: "BODY_TOO_LARGE" } });
    expect(seen).toEqual([]);
  });

  it("fails the Worker's read of a chunked body that runs past it, and goes on serving", async () => {
    seen.length = 0;
    const chunks = Array.from({ length: 8 }, () => new Uint8Array(512));
    const body = new ReadableStream<Uint8Array>({ pull: (controller) => void (chunks.length ? controller.enqueue(chunks.pop()!) : controller.close()) });
    const answer = await fetch(`${small.url}/upload`, { method: "POST", body, duplex: "half" } as RequestInit).then((r) => r.status, () => "cut");
    expect(answer === 500 || answer === "cut", String(answer)).toBe(true);
    await vi.waitFor(() => expect(seen).toEqual(["POST", "BODY_TOO_LARGE"]));
    expect(await (await fetch(`${small.url}/upload`, { method: "POST", body: "x".repeat(1024) })).text()).toBe("read 1024 bytes");
  });

  it("takes its limit from DOTDO_MAX_BODY_BYTES, and refuses one that is not a number of bytes", async () => {
    const worker = await createWorker(reader, { durableObjects: {} });
    vi.stubEnv("DOTDO_MAX_BODY_BYTES", "100 MB");
    try {
      await expect(serve(worker, { port: 0, host: "127.0.0.1", handleSignals: false, log: false })).rejects.toMatchObject({ code: "SERVER_CONFIG_INVALID" });
      vi.stubEnv("DOTDO_MAX_BODY_BYTES", "10");
      const limited = await serve(worker, { port: 0, host: "127.0.0.1", handleSignals: false, log: false });
      try {
        expect((await fetch(`${limited.url}/upload`, { method: "POST", body: "x".repeat(11) })).status).toBe(413);
      } finally {
        await limited.close();
      }
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
