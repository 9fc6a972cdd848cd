import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { expect, it } from "vitest";

async function runInWorkerd(entry: string, paths: string[]): Promise<unknown[]> {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    external: ["./sql-wasm.wasm"],
    alias: { "cloudflare:workers": fileURLToPath(new URL("../../src/runtime/index.ts", import.meta.url)) },
    write: false,
    logLevel: "silent",
  });
  const wasm = await readFile(createRequire(import.meta.url).resolve("sql.js/dist/sql-wasm.wasm"));
  const mf = new Miniflare({
    modules: [
      { type: "ESModule", path: "/worker/index.mjs", contents: bundle.outputFiles[0]!.text },
      { type: "CompiledWasm", path: "/worker/sql-wasm.wasm", contents: wasm },
    ],
    modulesRoot: "/worker",
    compatibilityDate: "2025-09-01",
  });
  try {
    const results: unknown[] = [];
    for (const path of paths) {
      const text = await (await mf.dispatchFetch(`http://workerd${path}`)).text();
      results.push(text.startsWith("{") ? JSON.parse(text) : text);
    }
    return results;
  } finally {
    await mf.dispose();
  }
}

it("loads sql.js on workerd from a precompiled WebAssembly.Module (compiling bytes is refused there)", async () => {
  const [result] = await runInWorkerd("./helpers/workerd-entry.ts", ["/"]);
  expect(result).toEqual({ rows: [[1, "on workerd"]], rowsWritten: 2, unattributed: true, writes: 2 });
});

it("runs the whole shim, with a Durable Object using SQL, KV and RPC, as plain Worker code in workerd", async () => {
  const paths = ["/hit/a?visitor=ann", "/hit/a?visitor=bob", "/info/a"];
  const query = paths.map((path) => `path=${encodeURIComponent(path)}`).join("&");
  const [result] = await runInWorkerd("./helpers/workerd-shim-entry.ts", [`/?${query}`]);
  expect((result as { results: unknown[] }).results).toEqual([
    { count: 1, previous: null },
    { count: 2, previous: "ann" },
    { greeting: "from the shim in workerd", count: 2, path: "/info/a" },
  ]);
});
