import type { ChangeSet } from "./types";

/** Rowids remembered per table and checkpoint span; beyond this the table is read whole. */
const MAX_TRACKED_ROWIDS = 10_000;

/**
 * What one database changed since the last `take()`: rows SQLite's update hook reported and
 * writes the runtime noted itself, held against SQLite's own change counter so that writes no
 * hook could attribute (WITHOUT ROWID tables, the truncate optimisation) still show.
 */
export class ChangeLog {
  #hookRows = 0;
  #noted = 0;
  #tables = new Set<string>();
  /** Changed rowids per table; a table whose count passed the limit is dropped (read whole). */
  #rowids = new Map<string, Set<bigint>>();
  #untracked = new Set<string>();
  #spanStart = { total: 0, attributed: 0, schema: 0 };

  /** Rows the update hook has reported, ever. */
  get hookRows(): number {
    return this.#hookRows;
  }

  /** One row the update hook reported. */
  row(table: string, rowid: bigint): void {
    this.#hookRows++;
    this.#tables.add(table);
    if (this.#untracked.has(table)) return;
    let rowids = this.#rowids.get(table);
    if (!rowids) this.#rowids.set(table, (rowids = new Set()));
    rowids.add(BigInt(rowid));
    if (rowids.size > MAX_TRACKED_ROWIDS) this.#untrack(table);
  }

  /** Rows the runtime wrote to `table` itself, which are not tracked by rowid. */
  note(table: string, rows: number): void {
    if (rows <= 0) return;
    this.#noted += rows;
    this.#tables.add(table);
    this.#untrack(table);
  }

  /**
   * The changes since the span began, given SQLite's total change count and schema version
   * now; a new span begins.
   */
  take(total: number, schema: number): ChangeSet {
    const attributed = this.#hookRows + this.#noted;
    const changes: ChangeSet = {
      tables: this.#tables,
      rowids: this.#rowids,
      unattributed: total - this.#spanStart.total > attributed - this.#spanStart.attributed,
      schemaChanged: schema !== this.#spanStart.schema,
      writes: Math.max(total - this.#spanStart.total, attributed - this.#spanStart.attributed),
    };
    this.begin(total, schema);
    return changes;
  }

  /** Starts a span (and forgets what was recorded) at this change count and schema version. */
  begin(total: number, schema: number): void {
    this.#tables = new Set();
    this.#rowids = new Map();
    this.#untracked = new Set();
    this.#spanStart = { total, attributed: this.#hookRows + this.#noted, schema };
  }

  #untrack(table: string): void {
    this.#untracked.add(table);
    this.#rowids.delete(table);
  }
}
