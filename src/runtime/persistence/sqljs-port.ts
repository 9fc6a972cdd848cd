import type { Database, SqlJsStatic, Statement } from "sql.js";
import { stageImage } from "../sqlite/sqljs-image";
import type { SqlJsModule } from "../sqlite/sqljs-loader";
import type { PortValue, SqlParam, SqlPort } from "./sql-port";

// sql.js accepts `{ useBigInt }` on `get` (since 1.8); its published types omit it.
type GetExact = (this: Statement, params: null, options: { useBigInt: true }) => PortValue[];

/**
 * Adapts a sql.js `Database` to the port persistence uses. With the module it was opened
 * from, checkpoints also hold the SQLite image and restores load it.
 */
export function sqlJsPort(db: Database, sql?: SqlJsStatic): SqlPort {
  // The module object carries the raw C functions its published types omit.
  const module = sql as SqlJsModule | undefined;
  const handle = () => (db as unknown as { db: number }).db;
  return {
    ...(module && {
      image: () => db.export(),
      stageImage: (image: Uint8Array) => stageImage(module, handle, image),
    }),
    query(sql, params = []) {
      const stmt = db.prepare(sql);
      try {
        stmt.bind(params as SqlParam[]);
        const get = stmt.get as unknown as GetExact;
        const rows: PortValue[][] = [];
        while (stmt.step()) rows.push(get.call(stmt, null, { useBigInt: true }));
        return rows;
      } finally {
        stmt.free();
      }
    },
    runMany(sql, rows) {
      const stmt = db.prepare(sql);
      try {
        for (const row of rows) stmt.run(row as SqlParam[]);
      } finally {
        stmt.free();
      }
    },
    exec(sql) {
      db.exec(sql);
    },
    onChange(listener) {
      // sql.js has one hook slot and hands the rowid over as a double.
      db.updateHook((_operation, _database, table, rowid) =>
        listener(table, Number.isSafeInteger(rowid) ? BigInt(rowid) : null),
      );
      return () => db.updateHook(null);
    },
  };
}
