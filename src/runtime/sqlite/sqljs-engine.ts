import { SqlJsDatabase } from "./sqljs-database";
import { loadSqlJs, type SqlWasmSource } from "./sqljs-loader";
import type { SqliteEngine } from "./types";

/** The SQLite engine on sql.js: the compiled wasm is shared by every database. */
export async function loadSqliteEngine(wasm?: SqlWasmSource): Promise<SqliteEngine> {
  const sql = await loadSqlJs(wasm);
  return { open: (image) => new SqlJsDatabase(sql, image) };
}
