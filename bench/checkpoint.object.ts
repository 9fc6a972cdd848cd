import { DurableObject } from "../src/runtime/index";

/** The benchmark's object: one table of `rows` rows, filled and changed through ctx.storage.sql. */
export class Items extends DurableObject {
  fill(rows: number): void {
    this.ctx.storage.sql.exec(`
      CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, qty INTEGER, price REAL, tag BLOB);
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${Math.floor(rows)})
      INSERT INTO items SELECT i, 'item number ' || i, i % 97, i * 0.25, randomblob(8) FROM n;
    `);
  }

  /** One changed row. */
  touch(id: number): void {
    this.ctx.storage.sql.exec("UPDATE items SET qty = -1 WHERE id = ?", id);
  }
}
