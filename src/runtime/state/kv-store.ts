import { SqliteError } from "../sqlite/errors";
import { MAX_VALUE_BYTES } from "../sqlite/sqljs-database";
import { utf8Length } from "../sqlite/sql-text";
import type { SqliteDatabase } from "../sqlite/types";
import { decodeValue, encodeValue, type ValueExternals } from "./value-codec";

/** The hidden table the KV API lives in, with workerd's name and layout. */
const KV_TABLE = "_cf_KV";

export interface ListOptions {
  start?: string;
  startAfter?: string;
  end?: string;
  prefix?: string;
  reverse?: boolean;
  limit?: number;
}

/**
 * The KV half of DurableObjectStorage, synchronous, on the object's SQLite database.
 * Values are stored in dotdo's portable value encoding; keys are TEXT compared byte-wise
 * (SQLite's BINARY collation), which is the order `list()` returns, as in workerd.
 */
export class KvStore {
  readonly #db: SqliteDatabase;
  readonly #externals: ValueExternals | undefined;

  /** `externals`: how stubs are stored (`allow_irrevocable_stub_storage`), or refused. */
  constructor(db: SqliteDatabase, externals?: ValueExternals) {
    this.#db = db;
    this.#externals = externals;
  }

  get(key: string): unknown {
    checkKey(key);
    const [row] = this.#read(`SELECT value FROM ${KV_TABLE} WHERE key = ?`, [key]);
    return row ? decodeValue(new Uint8Array(row[0] as ArrayBuffer), this.#externals) : undefined;
  }

  getMany(keys: readonly string[]): Map<string, unknown> {
    keys.forEach(checkKey);
    const rows = this.#read(
      `SELECT key, value FROM ${KV_TABLE} WHERE key IN (SELECT value FROM json_each(?)) ORDER BY key`,
      [JSON.stringify(keys)],
    );
    return toMap(rows, this.#externals);
  }

  put(entries: ReadonlyArray<readonly [string, unknown]>): void {
    const encoded = entries.map(([key, value]) => {
      checkKey(key);
      const bytes = encodeValue(value, this.#externals);
      if (bytes.byteLength > MAX_VALUE_BYTES) throw tooBig();
      return [key, bytes] as const;
    });
    this.#db.query(`CREATE TABLE IF NOT EXISTS ${KV_TABLE} (key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID`);
    for (const [key, bytes] of encoded) {
      this.#db.query(`INSERT INTO ${KV_TABLE} (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [key, bytes]);
    }
    this.#db.noteWrite(KV_TABLE, encoded.length);
  }

  delete(keys: readonly string[]): number {
    const deleted = this.#read(`DELETE FROM ${KV_TABLE} WHERE key IN (SELECT value FROM json_each(?)) RETURNING 1`, [
      JSON.stringify(keys),
    ]).length;
    this.#db.noteWrite(KV_TABLE, deleted);
    return deleted;
  }

  list(options: ListOptions): Map<string, unknown> {
    if (options.start !== undefined && options.startAfter !== undefined) {
      throw new TypeError("list() cannot be called with both start and startAfter values.");
    }
    if (options.limit !== undefined && !(options.limit > 0)) throw new TypeError("List limit must be positive.");
    const where: string[] = [];
    const params: (string | Uint8Array)[] = [];
    const bound = (clause: string, value: string | Uint8Array) => {
      where.push(clause);
      params.push(value);
    };
    if (options.start !== undefined) bound("key >= ?", options.start);
    if (options.startAfter !== undefined) bound("key > ?", options.startAfter);
    if (options.end !== undefined) bound("key < ?", options.end);
    if (options.prefix) {
      bound("key >= ?", options.prefix);
      const upper = prefixUpperBound(options.prefix);
      // The bound is raw UTF-8 bytes (maybe not valid text): compared as TEXT, byte-wise.
      if (upper) bound("key < CAST(? AS TEXT)", upper);
    }
    let sql = `SELECT key, value FROM ${KV_TABLE}`;
    if (where.length) sql += ` WHERE ${where.join(" AND ")}`;
    sql += ` ORDER BY key ${options.reverse ? "DESC" : "ASC"}`;
    if (options.limit !== undefined) sql += ` LIMIT ${Math.floor(options.limit)}`;
    return toMap(this.#read(sql, params), this.#externals);
  }

  /** Reads, treating a missing KV table as empty (it is created on first write). */
  #read(sql: string, params: (string | number | Uint8Array)[]) {
    try {
      return this.#db.query(sql, params);
    } catch (error) {
      if (error instanceof SqliteError && error.message.startsWith(`no such table: ${KV_TABLE}`)) return [];
      throw error;
    }
  }
}

/** SQLite's length limit is the only key limit in workerd's SQLite-backed storage. */
function checkKey(key: string): void {
  if (utf8Length(key) > MAX_VALUE_BYTES) throw tooBig();
}

function tooBig(): SqliteError {
  return new SqliteError("string or blob too big", "SQLITE_TOOBIG");
}

function toMap(rows: ReturnType<SqliteDatabase["query"]>, externals: ValueExternals | undefined): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (const [key, value] of rows) map.set(key as string, decodeValue(new Uint8Array(value as ArrayBuffer), externals));
  return map;
}

/** The smallest byte string greater than every string starting with `prefix`. */
function prefixUpperBound(prefix: string): Uint8Array | undefined {
  const bytes = new TextEncoder().encode(prefix);
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0xff) end--;
  if (end === 0) return undefined;
  const upper = bytes.slice(0, end);
  upper[end - 1]! += 1;
  return upper;
}
