import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "pathe";
import { afterAll, describe, expect, it } from "vitest";
import { persistenceLifecycle } from "../../src/runtime/persistence/lifecycle";
import { serverInfo } from "../../src/runtime/platform/info";
import { platformHandler } from "../../src/runtime/platform/routes";
import { createStore } from "../../src/runtime/storage/create";
import { createWorker, type Worker } from "../../src/runtime/worker";
import * as objects from "./helpers/objects";

const scratch = mkdtempSync(join(tmpdir(), "dotdo-info-"));
const workers: Worker[] = [];
afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.dispose()));
  rmSync(scratch, { recursive: true, force: true });
});

/** What a server answers at `/__dotdo/info` for a worker with objects kept in `DOTDO_STORAGE=storage` (none: no persistence). */
async function served(storage?: string): Promise<unknown> {
  const lifecycle = storage === undefined ? undefined : persistenceLifecycle({ store: await createStore({ DOTDO_STORAGE: storage }) });
  const worker = await createWorker(objects, { durableObjects: { COUNTER: { className: "Counter" } }, ...(lifecycle && { lifecycle }) });
  workers.push(worker);
  return (await platformHandler(worker)(new Request("http://server.test/__dotdo/info"))).json();
}

describe("/__dotdo/info", () => {
  it("names the runtime, and the kind of store the worker's persistence uses", async () => {
    expect(await served("memory:")).toEqual({ runtime: "node", version: process.versions.node, storage: "memory" });
  });

  it("says there is no store when objects are not checkpointed", async () => {
    expect(await served()).toEqual({ runtime: "node", version: process.versions.node, storage: null });
  });

  // The stores' own short names (no request is made to open them).
  it.each([
    ["file", { DOTDO_STORAGE: `file:${join(scratch, "secret-folder")}` }],
    ["s3", { DOTDO_STORAGE: "s3://secret-bucket/secret-prefix", R2_ENDPOINT: "https://s3.invalid", R2_ACCESS_KEY_ID: "id", R2_SECRET_ACCESS_KEY: "key" }],
    ["gateway", { DOTDO_STORAGE: "https://secret-gateway.invalid", JWT_TOKEN: "token" }],
  ])("names a %s store by its kind only, never its path, bucket or address", async (kind, env) => {
    const store = await createStore(env);
    expect(store.url).toMatch(/secret/);
    const info = serverInfo({ storage: store.url });
    expect(info.storage).toBe(kind);
    expect(JSON.stringify(info)).not.toMatch(/secret/);
  });
});
