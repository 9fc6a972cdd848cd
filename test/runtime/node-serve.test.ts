import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
