import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { expect, it } from "vitest";
import { loadSqliteEngine } from "../../src/runtime/sqlite/sqljs-engine";

// A file of its own: the engine loads once per module graph, and this must be the first load.
it("loads from a precompiled WebAssembly.Module, as on workerd", async () => {
  const bytes = await readFile(createRequire(import.meta.url).resolve("sql.js/dist/sql-wasm.wasm"));
  const { WebAssembly: wasm } = globalThis as unknown as {
    WebAssembly: { Module: new (bytes: Uint8Array) => WebAssembly.Module };
  };
  const engine = await loadSqliteEngine(new wasm.Module(bytes));
  const db = engine.open();
  expect(db.execute("SELECT sqlite_version() AS v", [])?.columnNames).toEqual(["v"]);
  db.close();
});
