import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { expect, it } from "vitest";

it("loads sql.js on workerd from a precompiled WebAssembly.Module (compiling bytes is refused there)", async () => {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL("./helpers/workerd-entry.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    external: ["./sql-wasm.wasm"],
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
    const response = await mf.dispatchFetch("http://workerd/");
    const text = await response.text();
    expect(text.startsWith("{") ? JSON.parse(text) : text).toEqual({ rows: [[1, "on workerd"]], rowsWritten: 2, unattributed: true, writes: 2 });
  } finally {
    await mf.dispose();
  }
});
