// Bundled by workerd-wasm.test.ts and run inside workerd, which refuses to compile wasm from
// bytes: the engine must load from the precompiled module workerd hands the import.
// @ts-expect-error -- a wasm module import, resolved by workerd
import sqlWasm from "./sql-wasm.wasm";
import { loadSqliteEngine } from "../../../src/runtime/sqlite/sqljs-engine";

export default {
  async fetch(): Promise<Response> {
    const engine = await loadSqliteEngine(sqlWasm as WebAssembly.Module);
    const db = engine.open();
    db.execute("CREATE TABLE t(a INTEGER, b TEXT)", []);
    db.takeChanges();
    const insert = db.execute("INSERT INTO t VALUES (?, ?), (2, 'x')", [1, "on workerd"]);
    // No update hook here (it needs run-time wasm compilation): writes are unattributed.
    const { unattributed, writes } = db.takeChanges();
    const rows = db.execute("SELECT a, b FROM t WHERE a = 1", [])?.rows;
    return Response.json({ rows, rowsWritten: insert?.rowsWritten, unattributed, writes });
  },
};
