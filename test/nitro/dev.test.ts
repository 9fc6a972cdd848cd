import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { build, createDevServer, createNitro, prepare } from "nitropack";
import type { Nitro } from "nitropack/types";
import { join } from "pathe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { counterFlow, json, NITRO_APP, type AppFetch } from "./harness";

/** `nitro dev`: Nitro's dev server runs the app on its nitro-dev preset, in a worker thread. */
const scratch = mkdtempSync(join(tmpdir(), "dotdo-nitro-dev-"));
let nitro: Nitro;
let close: () => Promise<void>;
let fetchApp: AppFetch;

beforeAll(async () => {
  // The worker thread takes the environment as it is now: keep the objects out of the repository.
  process.env.DOTDO_STORAGE = `file:${join(scratch, "state")}`;
  nitro = await createNitro({ rootDir: NITRO_APP, dev: true, preset: "nitro-dev", logLevel: 1, buildDir: join(scratch, ".nitro") });
  const server = createDevServer(nitro);
  const listener = await server.listen(0, { hostname: "127.0.0.1" });
  close = async () => {
    await listener.close();
    await server.close();
    await nitro.close();
  };
  const ready = new Promise<void>((resolve) => nitro.hooks.hookOnce("dev:reload", () => resolve()));
  await prepare(nitro);
  await build(nitro);
  await ready;
  fetchApp = (path, init) => fetch(`${listener.url.replace(/\/$/, "")}${path}`, init);
});

afterAll(async () => {
  await close?.();
  delete process.env.DOTDO_STORAGE;
  rmSync(scratch, { recursive: true, force: true });
});

describe("Nitro dev server (nitro-dev preset)", () => {
  it("serves the routes with their Durable Objects on Node", async () => {
    expect(await json(fetchApp, "/runtime")).toEqual({ runtime: "node" });
    await counterFlow(fetchApp, "dev");
  });
});
