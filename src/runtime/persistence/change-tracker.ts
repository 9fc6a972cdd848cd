import type { SqlPort } from "./sql-port";

/** What changed in one table since the last checkpoint: some rowids, or possibly anything. */
export type TableChanges = "all" | Set<bigint>;

/** Changes taken for one checkpoint. `everything`: rows may have changed anywhere. */
export interface ChangeSet {
  everything: boolean;
  tables: Map<string, TableChanges>;
}

/** Where a checkpoint learns what changed; the runtime's engine or an update hook. */
export interface ChangeSource {
  /** Row changes since the last checkpoint (a schema change counts as one). */
  pendingChanges(): number;
  /** The changes to checkpoint now; counting starts afresh. */
  take(): ChangeSet;
  /** Puts back changes a failed checkpoint did not persist. */
  giveBack(changes: ChangeSet): void;
  /** Forgets all changes: the database now equals a commit (after a restore). */
  rebase(): void;
  close(): void;
}

/** Beyond this many changed rowids in one table, treat the whole table as changed. */
const MAX_TRACKED_ROWIDS = 50_000;

/**
 * Finds what changed without help from user code: the engine's update hook names tables and
 * rowids; `total_changes()` and `PRAGMA schema_version` catch what the hook cannot see
 * (WITHOUT ROWID tables, the truncate optimisation, DDL), in which case everything counts as
 * changed — more work for one checkpoint, never a missed change.
 */
export class ChangeTracker implements ChangeSource {
  readonly #port: SqlPort;
  readonly #unsubscribe: (() => void) | undefined;
  #tables = new Map<string, TableChanges>();
  #hookEvents = 0;
  #baseTotal = 0n;
  #baseSchema = 0n;
  #forceEverything = false;

  constructor(port: SqlPort) {
    this.#port = port;
    this.#unsubscribe = port.onChange?.((table, rowid) => this.#record(table, rowid));
    this.rebase();
  }

  pendingChanges(): number {
    const rows = Number(this.#totalChanges() - this.#baseTotal);
    return rows + (this.#schemaVersion() !== this.#baseSchema || this.#forceEverything ? 1 : 0);
  }

  take(): ChangeSet {
    const total = this.#totalChanges();
    const missed =
      this.#unsubscribe === undefined ||
      this.#forceEverything ||
      total - this.#baseTotal !== BigInt(this.#hookEvents) ||
      this.#schemaVersion() !== this.#baseSchema;
    const taken: ChangeSet = { everything: missed, tables: this.#tables };
    this.rebase();
    return taken;
  }

  giveBack(changes: ChangeSet): void {
    if (changes.everything) this.#forceEverything = true;
    for (const [table, rowids] of changes.tables) {
      if (rowids === "all") this.#tables.set(table, "all");
      else for (const rowid of rowids) this.#record(table, rowid, false);
    }
  }

  rebase(): void {
    this.#tables = new Map();
    this.#hookEvents = 0;
    this.#forceEverything = false;
    this.#baseTotal = this.#totalChanges();
    this.#baseSchema = this.#schemaVersion();
  }

  close(): void {
    this.#unsubscribe?.();
  }

  #record(table: string, rowid: bigint | null, counted = true): void {
    if (counted) this.#hookEvents++;
    const current = this.#tables.get(table);
    if (current === "all") return;
    if (rowid === null || (current?.size ?? 0) >= MAX_TRACKED_ROWIDS) {
      this.#tables.set(table, "all");
      return;
    }
    if (current) current.add(rowid);
    else this.#tables.set(table, new Set([rowid]));
  }

  #totalChanges(): bigint {
    return BigInt(this.#port.query("SELECT CAST(total_changes() AS TEXT)")[0]?.[0] as string);
  }

  #schemaVersion(): bigint {
    return BigInt(Number(this.#port.query("PRAGMA schema_version")[0]?.[0]));
  }
}
