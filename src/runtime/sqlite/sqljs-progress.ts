import { SqliteError, SqlTimeLimitError } from "./errors";
import type { SqlJsModule, WasmMemory } from "./sqljs-loader";

/** VDBE operations between two looks at the clock: a call to JavaScript per 10,000 costs next to nothing. */
const OPS_PER_CHECK = 10_000;
/** The update hook's argument while the fields after it are looked for. */
const MARK = 0x5a17ab1e;
/** SQLite's default `wal_autocheckpoint`: the WAL hook's argument in every new connection. */
const WAL_AUTOCHECKPOINT = 1000;

/** Where `xProgress` is in the `sqlite3` struct; null where this sql.js build does not show it. */
let progressOffset: number | null | undefined;
/** The progress callback's function-table slot, shared by every connection. */
let callback: number | undefined;
/** When the running statement must stop (`performance.now()`); Infinity outside user SQL. */
let deadline = Infinity;
/** The callback stopped the running statement. */
let fired = false;

/**
 * A bound on the time one statement of user SQL may run, as workerd bounds it with the
 * request's CPU limit (SQLite's progress handler interrupts the query there too). sql.js
 * exports no `sqlite3_progress_handler()`, so the handler is written into the connection's
 * `xProgress`, `pProgressArg` and `nProgressOps` directly (all that function does). They sit at
 * a fixed distance after `pUpdateArg`, which `sqlite3_update_hook()` sets and so shows, in
 * SQLite 3.54's `struct sqlite3` on wasm32; the fields between are checked before anything
 * is written, and a first interrupted query proves the handler works. Where either fails (or
 * sql.js cannot register JavaScript callbacks: workerd, Vercel Edge) a statement runs unbounded.
 */
export class QueryClock {
  readonly #installed: boolean;

  /**
   * `hook`: the connection's update-hook slot (undefined without one); `run` runs a statement
   * on the connection, to prove the handler on the process's first connection.
   */
  constructor(sql: SqlJsModule, handle: number, hook: number | undefined, run: (sql: string) => void) {
    if (hook === undefined || progressOffset === null) {
      this.#installed = false;
      return;
    }
    const proving = progressOffset === undefined;
    progressOffset ??= findProgress(sql, handle, hook);
    callback ??= progressOffset === null ? undefined : sql.addFunction(onProgress, "ii" as never);
    this.#installed = progressOffset !== null && callback !== undefined;
    if (!this.#installed) return;
    fields(sql.memory, handle + progressOffset!).set([callback!, 0, OPS_PER_CHECK]);
    if (proving && !proves(run)) {
      fields(sql.memory, handle + progressOffset!).set([0, 0, 0]);
      progressOffset = null;
      this.#installed = false;
    }
  }

  /** Runs `fn`; a statement still running `limitMs` after the start fails with `SqlTimeLimitError`. */
  within<T>(limitMs: number, fn: () => T): T {
    if (!this.#installed) return fn();
    deadline = performance.now() + limitMs;
    fired = false;
    try {
      return fn();
    } catch (error) {
      if (fired && error instanceof SqliteError && error.code === "SQLITE_INTERRUPT") throw new SqlTimeLimitError(limitMs);
      throw error;
    } finally {
      deadline = Infinity;
    }
  }
}

function onProgress(): number {
  if (performance.now() <= deadline) return 0;
  fired = true;
  return 1;
}

/** `xProgress`, `pProgressArg`, `nProgressOps`. */
function fields(memory: WasmMemory, address: number): Int32Array {
  return new Int32Array(memory.buffer, address, 3);
}

/** The struct offset of `xProgress`, or null when the fields before it are not where they should be. */
function findProgress(sql: SqlJsModule, handle: number, hook: number): number | null {
  sql._sqlite3_update_hook(handle, hook, MARK);
  try {
    const words = new Int32Array(sql.memory.buffer, handle, 1024);
    const at = words.findIndex((word, i) => word === MARK && words[i + 1] === hook);
    if (at === -1) return null;
    const updateArg = at * 4;
    // pUpdateArg, xUpdateCallback, the three autovacuum fields, pParse, xWalCallback, pWalArg,
    // the three collation-needed fields, pErr: then u1 (8-byte aligned) and the lookaside.
    if (words[at + 7] !== WAL_AUTOCHECKPOINT) return null;
    const u1 = Math.ceil((updateArg + 48) / 8) * 8;
    const lookaside = u1 + 8;
    const word = (offset: number): number => words[offset / 4]!;
    const lookasideSize = (word(lookaside + 4) >>> 16) & 0xffff; // szTrue
    const endsAgree = word(lookaside + 52) === word(lookaside + 56); // pEnd, pTrueEnd
    // xAuth, pAuthArg, xProgress, pProgressArg, nProgressOps: all unset in a new connection.
    const unset = [0, 4, 8, 12, 16].every((offset) => word(lookaside + 60 + offset) === 0);
    return lookasideSize > 0 && endsAgree && unset ? lookaside + 68 : null;
  } finally {
    sql._sqlite3_update_hook(handle, hook, 0);
  }
}

/** With the deadline already past, a query of 100,000 steps must be interrupted. */
function proves(run: (sql: string) => void): boolean {
  deadline = -Infinity;
  fired = false;
  try {
    run("WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c LIMIT 100000) SELECT count(*) FROM c");
    return false;
  } catch (error) {
    return fired && error instanceof SqliteError && error.code === "SQLITE_INTERRUPT";
  } finally {
    deadline = Infinity;
  }
}
