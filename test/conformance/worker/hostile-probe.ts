import { DurableObject } from "cloudflare:workers";
import { outcomeSync, type Outcome } from "./encode";

/** Every pragma SQLite documents (https://www.sqlite.org/pragma.html), deprecated ones too. */
const PRAGMAS = [
  "analysis_limit", "application_id", "auto_vacuum", "automatic_index", "busy_timeout", "cache_size",
  "cache_spill", "case_sensitive_like", "cell_size_check", "checkpoint_fullfsync", "collation_list",
  "compile_options", "count_changes", "data_store_directory", "data_version", "database_list",
  "default_cache_size", "defer_foreign_keys", "empty_result_callbacks", "encoding", "foreign_key_check",
  "foreign_key_list", "foreign_keys", "freelist_count", "full_column_names", "fullfsync", "function_list",
  "hard_heap_limit", "ignore_check_constraints", "incremental_vacuum", "index_info", "index_list",
  "index_xinfo", "integrity_check", "journal_mode", "journal_size_limit", "legacy_alter_table",
  "legacy_file_format", "locking_mode", "max_page_count", "mmap_size", "module_list", "optimize",
  "page_count", "page_size", "parser_trace", "pragma_list", "query_only", "quick_check", "read_uncommitted",
  "recursive_triggers", "reverse_unordered_selects", "schema_version", "secure_delete", "short_column_names",
  "shrink_memory", "soft_heap_limit", "stats", "synchronous", "table_info", "table_list", "table_xinfo",
  "temp_store", "temp_store_directory", "threads", "trusted_schema", "user_version", "vdbe_addoptrace",
  "vdbe_debug", "vdbe_listing", "vdbe_trace", "wal_autocheckpoint", "wal_checkpoint", "writable_schema",
];

/** Each pragma in every form SQL can take it: bare, assigned, called, schema-qualified, as a table. */
const PRAGMA_FORMS = [
  (p: string) => `PRAGMA ${p} = 1024`,
  (p: string) => `PRAGMA ${p}(0)`,
  (p: string) => `PRAGMA main.${p} = -1`,
  (p: string) => `PRAGMA temp.${p}`,
  (p: string) => `PRAGMA ${p.toUpperCase()} = 'on'`,
  (p: string) => `PRAGMA ${p}`,
  (p: string) => `SELECT * FROM pragma_${p}`,
  (p: string) => `SELECT * FROM pragma_${p}(1024)`,
];

/** Statements that would take gigabytes of memory without SQLite's length limit, and a long (bounded) CTE. */
const MEMORY_BOMBS = {
  zeroblob: "SELECT zeroblob(1000000000) AS b",
  zeroblobLength: "SELECT length(zeroblob(2000000000)) AS n",
  randomblob: "SELECT length(randomblob(1000000000)) AS n",
  replace: "SELECT length(replace(hex(zeroblob(1000000)), '0', '0000000000')) AS n",
  doubling: "WITH RECURSIVE c(s, n) AS (SELECT 'x', 0 UNION ALL SELECT s || s, n + 1 FROM c WHERE n < 40) SELECT max(length(s)) AS n FROM c",
  groupConcat:
    "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 100000) SELECT length(group_concat(hex(zeroblob(500)), '')) AS n FROM c",
  hugeCte: "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 1000000) SELECT count(*) AS n FROM c",
  storedBlob: "CREATE TABLE IF NOT EXISTS bomb (b); INSERT INTO bomb VALUES (zeroblob(3000000))",
};

/**
 * An object whose SQL tries to change what sql.js shares between every database of the
 * process (heap limits, threads, temp directories...) and to exhaust its memory. Others in
 * the same process must not notice; this object gets errors, and keeps working. Not here: an
 * endless query, which workerd interrupts at its CPU limit but sql.js cannot interrupt (no
 * progress handler): on the shim it would block the process (docs/compat.md, "Isolation
 * between objects").
 */
export class HostileProbe extends DurableObject {
  pragmas(): Record<string, Outcome> {
    const sql = this.ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS t (a INTEGER PRIMARY KEY, b TEXT)");
    const results: Record<string, Outcome> = {};
    for (const pragma of PRAGMAS) {
      for (const form of PRAGMA_FORMS) {
        const statement = form(pragma);
        results[statement] = outcomeSync(() => sql.exec(statement).toArray().length);
      }
    }
    return results;
  }

  memoryBombs(): Record<string, Outcome> {
    const sql = this.ctx.storage.sql;
    return Object.fromEntries(
      Object.entries(MEMORY_BOMBS).map(([name, statement]) => [name, outcomeSync(() => sql.exec(statement).toArray())]),
    );
  }

  /** Ordinary SQL and KV work, as any object does. */
  async work(): Promise<Outcome> {
    const sql = this.ctx.storage.sql;
    return outcomeSync(() => {
      sql.exec("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT)");
      sql.exec("INSERT INTO notes (body) VALUES (?)", "x".repeat(100_000));
      this.ctx.storage.kv.put("k", { n: 1 });
      return {
        notes: sql.exec("SELECT count(*) AS n, max(length(body)) AS len FROM notes").one(),
        kv: this.ctx.storage.kv.get("k"),
        blob: sql.exec("SELECT length(zeroblob(1000000)) AS n").one(),
      };
    });
  }
}
