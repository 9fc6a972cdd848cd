import { SqliteError, UnsupportedEngineError } from "./errors";
import type { WasmMemory } from "./sqljs-loader";

/**
 * workerd's limits for user SQL, by `SQLITE_LIMIT_*` id (`setupSecurity()` in workerd's
 * src/workerd/util/sqlite.c++): string / BLOB length, SQL length, columns, expression depth,
 * compound SELECTs, VDBE program size, function arguments, attached databases, LIKE pattern
 * length, bound parameters, trigger depth, worker threads.
 */
const WORKERD_LIMITS = [2_200_000, 100_000, 100, 100, 5, 25_000, 127, 0, 50, 100, 10, 0];
/** SQLite's compiled-in values of the first limits, by which `aLimit` is found in a connection. */
const DEFAULT_HEAD = [1_000_000_000, 1_000_000_000, 2000, 1000, 500];
/** How far into the `sqlite3` struct to look for `aLimit`. */
const SEARCH_BYTES = 4096;

/** Byte offset of `aLimit` in the `sqlite3` struct, found once per process. */
let limitsOffset: number | undefined;
/** The connection's own values, restored for the runtime's statements. */
let defaults: readonly number[] | undefined;

/**
 * SQLite's per-connection limits, which sql.js has no `sqlite3_limit()` for: they are the
 * connection's `aLimit` array, written in the wasm memory directly (all that
 * `sqlite3_limit()` does). User SQL runs with workerd's limits — so a string or BLOB can
 * never take more than 2.2 MB of the heap every database of the process shares — and the
 * runtime's own statements (restoring a checkpoint binds a parameter per column) with
 * SQLite's defaults.
 */
export class ConnectionLimits {
  readonly #memory: WasmMemory;
  readonly #address: number;

  /** `run` runs one statement on the connection: the first one checks that the limits work. */
  constructor(memory: WasmMemory, handle: number, run: (sql: string) => void) {
    this.#memory = memory;
    const found = limitsOffset === undefined;
    limitsOffset ??= findLimits(memory, handle);
    this.#address = handle + limitsOffset;
    defaults ??= [...this.#view()];
    if (found) this.#verify(run);
  }

  /** Runs `fn` with workerd's limits. */
  restricted<T>(fn: () => T): T {
    this.#view().set(WORKERD_LIMITS);
    try {
      return fn();
    } finally {
      this.#view().set(defaults!);
    }
  }

  /** Throws unless the limits take effect. */
  #verify(run: (sql: string) => void): void {
    try {
      this.restricted(() => run(`SELECT zeroblob(${WORKERD_LIMITS[0]! + 1})`));
    } catch (error) {
      if (error instanceof SqliteError && error.code === "SQLITE_TOOBIG") return;
      throw error;
    }
    limitsOffset = undefined;
    throw new UnsupportedEngineError("SQLite's limits did not take effect in this sql.js build");
  }

  #view(): Int32Array {
    // A fresh view each time: the wasm memory's buffer is replaced whenever it grows.
    return new Int32Array(this.#memory.buffer, this.#address, WORKERD_LIMITS.length);
  }
}

function findLimits(memory: WasmMemory, handle: number): number {
  const words = new Int32Array(memory.buffer, handle, SEARCH_BYTES / 4);
  for (let i = 0; i + DEFAULT_HEAD.length <= words.length; i++) {
    if (DEFAULT_HEAD.every((value, j) => words[i + j] === value)) return i * 4;
  }
  throw new UnsupportedEngineError("sql.js connection layout not recognised: cannot apply SQLite's limits");
}
