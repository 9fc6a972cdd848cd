import { SqlJsDatabase } from "./sqljs-database";
import { loadSqlJs, type SqlWasmSource } from "./sqljs-loader";
import type { SqliteEngine } from "./types";

/**
 * The SQLite engine on sql.js: the compiled wasm is shared by every database. `timeLimitMs`
 * bounds one statement of user SQL (default: Cloudflare's 30 s of CPU per request).
 */
export async function loadSqliteEngine(wasm?: SqlWasmSource, timeLimitMs?: number): Promise<SqliteEngine> {
  const sql = await loadSqlJs(wasm);
  return { open: (image) => new SqlJsDatabase(sql, image, timeLimitMs) };
}
