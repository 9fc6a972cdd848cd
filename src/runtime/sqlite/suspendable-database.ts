import { DatabaseClosedError, SqlStorageError } from "./errors";
import type { ChangeSet, SqliteDatabase, SqlParam, SqlValue, StagedImage, StatementPolicy, StatementResult } from "./types";

/**
 * A database that can give back its SQLite connection while idle (each connection holds about
 * 150 KB of wasm heap) and reopen it from its image on next use. The handle stays valid
 * throughout, and the change tracking carries across suspensions.
 */
export class SuspendableDatabase implements SqliteDatabase {
  readonly #open: (image?: Uint8Array) => SqliteDatabase;
  #db: SqliteDatabase | undefined;
  #image: Uint8Array | undefined;
  #carried = emptyCarry();
  #writeBase = 0;

  constructor(open: (image?: Uint8Array) => SqliteDatabase, image?: Uint8Array) {
    this.#open = open;
    this.#db = open(image);
  }

  /** Whether the connection is currently given back. */
  get suspended(): boolean {
    return this.#db === undefined;
  }

  /** Closes the connection, keeping the database as an image until the next use. */
  suspend(): void {
    const db = this.#db;
    if (!db) return;
    this.#image = db.export();
    this.#release(db);
    this.#db = undefined;
  }

  execute(sql: string, params: readonly SqlParam[], policy?: StatementPolicy): StatementResult | undefined {
    return this.#live().execute(sql, params, policy);
  }

  query(sql: string, params?: readonly SqlParam[]): SqlValue[][] {
    return this.#live().query(sql, params);
  }

  noteWrite(table: string, rows: number): void {
    this.#live().noteWrite(table, rows);
  }

  get writeCount(): number {
    return this.#writeBase + (this.#db?.writeCount ?? 0);
  }

  takeChanges(): ChangeSet {
    if (this.#db) this.#carry(this.#db.takeChanges());
    const changes = this.#carried;
    this.#carried = emptyCarry();
    return changes;
  }

  get size(): number {
    return this.#live().size;
  }

  commit(): void {
    this.#db?.commit();
  }

  rollback(): void {
    this.#db?.rollback();
  }

  get inTransaction(): boolean {
    return this.#db?.inTransaction ?? false;
  }

  savepoint(): string {
    return this.#live().savepoint();
  }

  endSavepoint(name: string, commit: boolean): void {
    this.#live().endSavepoint(name, commit);
  }

  export(): Uint8Array {
    return this.#db ? this.#db.export() : this.#image!.slice();
  }

  image(): Uint8Array | null {
    return this.#db ? this.#db.image() : this.#image!.slice();
  }

  /**
   * Opens a new connection on `image`, which `use()` puts in place of the current one: as
   * cheap as opening a file, where copying pages into the open connection costs as much again.
   */
  stageImage(image: Uint8Array): StagedImage {
    const next = this.#open(image);
    return {
      use: () => {
        if (this.inTransaction) {
          next.close();
          throw new SqlStorageError("SQLITE_ERROR", "cannot replace the database inside a transaction");
        }
        if (this.#db) {
          this.#db.commit();
          this.#release(this.#db);
        }
        this.#db = next;
        this.#image = undefined;
      },
      discard: () => next.close(),
    };
  }

  close(): void {
    this.#db?.close();
    this.#db = undefined;
    this.#image = undefined;
  }

  #live(): SqliteDatabase {
    if (!this.#db) {
      if (!this.#image) throw new DatabaseClosedError();
      this.#db = this.#open(this.#image);
      this.#image = undefined;
    }
    return this.#db;
  }

  /** Closes a connection this database is done with, keeping its change tracking. */
  #release(db: SqliteDatabase): void {
    this.#carry(db.takeChanges());
    this.#writeBase += db.writeCount;
    db.close();
  }

  #carry(changes: ChangeSet): void {
    for (const table of changes.tables) {
      const known = changes.rowids.get(table);
      const carried = this.#carried.rowids.get(table);
      // Known only if known in every span that touched the table.
      if (known && (carried || !this.#carried.tables.has(table))) {
        this.#carried.rowids.set(table, new Set([...(carried ?? []), ...known]));
      } else {
        this.#carried.rowids.delete(table);
      }
      this.#carried.tables.add(table);
    }
    this.#carried.unattributed ||= changes.unattributed;
    this.#carried.schemaChanged ||= changes.schemaChanged;
    this.#carried.writes += changes.writes;
  }
}

function emptyCarry() {
  return {
    tables: new Set<string>(),
    rowids: new Map<string, Set<bigint>>(),
    unattributed: false,
    schemaChanged: false,
    writes: 0,
  };
}
