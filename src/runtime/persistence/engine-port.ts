import type { SqliteDatabase } from "../sqlite/types";
import type { ChangeSet, ChangeSource } from "./change-tracker";
import type { SqlPort } from "./sql-port";

/** The runtime's SQLite engine as persistence's port (its `query` caches statements). */
export function enginePort(db: SqliteDatabase): SqlPort {
  return {
    query: (sql, params = []) => db.query(sql, params),
    runMany(sql, rows) {
      for (const row of rows) db.query(sql, row);
    },
    exec(sql) {
      db.execute(sql, []);
    },
    image: () => db.image(),
    stageImage: (image) => db.stageImage(image),
  };
}

/**
 * Changes as the engine tracks them: per table, not per row, so a changed table is written
 * whole; rows the engine could not attribute, or DDL, count as changes everywhere.
 */
export class EngineChanges implements ChangeSource {
  readonly #db: SqliteDatabase;
  #base = 0;
  #returned: ChangeSet | null = null;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.rebase();
  }

  pendingChanges(): number {
    return this.#db.writeCount - this.#base + (this.#returned ? 1 : 0);
  }

  take(): ChangeSet {
    const taken = this.#db.takeChanges();
    this.#base = this.#db.writeCount;
    const tables = new Map([...taken.tables].map((table) => [table, "all" as const]));
    const returned = this.#returned;
    this.#returned = null;
    if (returned) for (const table of returned.tables.keys()) tables.set(table, "all");
    return { everything: taken.unattributed || taken.schemaChanged || (returned?.everything ?? false), tables };
  }

  giveBack(changes: ChangeSet): void {
    const tables = new Map(this.#returned?.tables ?? []);
    for (const table of changes.tables.keys()) tables.set(table, "all");
    this.#returned = { everything: changes.everything || (this.#returned?.everything ?? false), tables };
  }

  rebase(): void {
    this.#db.takeChanges();
    this.#base = this.#db.writeCount;
    this.#returned = null;
  }

  close(): void {}
}
