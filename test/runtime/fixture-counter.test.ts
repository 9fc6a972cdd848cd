import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { parse } from "jsonc-parser";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serve, type Server } from "../../src/runtime/platform/node";
import { createWorker } from "../../src/runtime/worker";
import { until } from "./helpers/wait";

interface WranglerConfig {
  main: string;
  vars: Record<string, unknown>;
  durable_objects: { bindings: { name: string; class_name: string }[] };
}

const root = new URL("../fixtures/counter/", import.meta.url);
let server: Server;
let config: WranglerConfig;
beforeAll(async () => {
  config = parse(await readFile(new URL("wrangler.jsonc", root), "utf8")) as WranglerConfig;
  const mod = (await import(/* @vite-ignore */ new URL(config.main, root).href)) as Record<string, unknown>;
  const worker = await createWorker(mod, {
    durableObjects: Object.fromEntries(config.durable_objects.bindings.map((b) => [b.name, { className: b.class_name }])),
    vars: config.vars,
  });
  server = await serve(worker, { port: 0, host: "127.0.0.1", handleSignals: false, log: false });
});
afterAll(() => server.close());

const get = async (path: string): Promise<Record<string, unknown>> => (await fetch(`${server.url}${path}`)).json() as Promise<Record<string, unknown>>;

describe("the counter fixture, served by createWorker + serve", () => {
  it("keeps SQL and KV state per object, reachable by RPC and fetch", async () => {
    expect(await get("/hit/a?visitor=ann")).toEqual({ count: 1, previous: null });
    expect(await get("/hit/a?visitor=bob")).toEqual({ count: 2, previous: "ann" });
    expect(await get("/hit/b?visitor=cy")).toEqual({ count: 1, previous: null });
    expect(await get("/info/a")).toEqual({ greeting: "hello", count: 2, path: "/info/a" });
  });

  it("resets an object by alarm", async () => {
    await get("/hit/c");
    await get("/reset/c?ms=20");
    await until(async () => (await get("/info/c")).count === 0);
    expect(await get("/hit/c?visitor=dee")).toEqual({ count: 1, previous: null });
  });
});

describe("the counter fixture is an ordinary Cloudflare project", () => {
  it("answers the same on workerd (miniflare)", async () => {
    const bundle = await build({
      entryPoints: [fileURLToPath(new URL(config.main, root))],
      bundle: true,
      format: "esm",
      write: false,
      external: ["cloudflare:workers"],
      logLevel: "silent",
    });
    const mf = new Miniflare({
      modules: true,
      script: bundle.outputFiles[0]!.text,
      compatibilityDate: "2025-09-01",
      bindings: config.vars as Record<string, string>,
      durableObjects: Object.fromEntries(
        config.durable_objects.bindings.map((b) => [b.name, { className: b.class_name, useSQLite: true }]),
      ),
    });
    try {
      const onWorkerd = async (path: string) => (await mf.dispatchFetch(`http://fixture${path}`)).json();
      expect(await onWorkerd("/hit/w?visitor=ann")).toEqual({ count: 1, previous: null });
      expect(await onWorkerd("/hit/w?visitor=bob")).toEqual({ count: 2, previous: "ann" });
      expect(await onWorkerd("/info/w")).toEqual({ greeting: "hello", count: 2, path: "/info/w" });
    } finally {
      await mf.dispose();
    }
  });
});
