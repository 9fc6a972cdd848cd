import type { Database } from "sql.js";
import { SqliteError } from "./errors";
import type { SqlJsModule } from "./sqljs-loader";
import type { StagedImage } from "./types";

const SQLITE_DONE = 101;

/**
 * Opens `image` in a scratch database; bytes that are not a SQLite database throw here.
 * `use()` replaces the whole database behind `handle` with it (the online backup again, into
 * it: SQLite resets the connection's schema, so cached statements prepare themselves anew;
 * no transaction may be open on `handle`).
 */
export function stageImage(sql: SqlJsModule, handle: () => number, image: Uint8Array): StagedImage {
  const source = new sql.Database(image);
  try {
    // Reads the header and schema: a damaged image fails here, before anything is copied.
    source.exec("SELECT count(*) FROM sqlite_master");
  } catch (error) {
    source.close();
    throw error;
  }
  return {
    use() {
      try {
        backup(sql, dbHandle(source), handle());
      } finally {
        source.close();
      }
    },
    discard: () => source.close(),
  };
}

function backup(sql: SqlJsModule, from: number, to: number): void {
  const main = sql.stringToNewUTF8("main");
  try {
    const job = sql._sqlite3_backup_init(to, main, from, main);
    if (job === 0) throw new SqliteError(sql.UTF8ToString(sql._sqlite3_errmsg(to)), "SQLITE_ERROR");
    const stepped = sql._sqlite3_backup_step(job, -1);
    const finished = sql._sqlite3_backup_finish(job);
    if (stepped !== SQLITE_DONE || finished !== 0) {
      throw new SqliteError(`database copy failed: ${sql.UTF8ToString(sql._sqlite3_errmsg(to))}`, "SQLITE_ERROR");
    }
  } finally {
    sql._free(main);
  }
}

/** The C `sqlite3*` (sql.js keeps it as `db`, a name its minified build preserves). */
function dbHandle(db: Database): number {
  return (db as unknown as { db: number }).db;
}
