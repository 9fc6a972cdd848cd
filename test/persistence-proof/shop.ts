import { DurableObject } from "../../src/runtime/index";

/**
 * The schema every proof runs on, written through `ctx.storage.sql` as user code would.
 * Values are SQL literals so each keeps the storage class it is meant to test (a JS number
 * would bind as REAL, as on workerd).
 */
const SCHEMA = `
  CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL, stock INTEGER, photo BLOB, extra);
  CREATE INDEX products_by_name ON products (name);
  INSERT INTO products VALUES
    (1, 'Tea ☕', 3.5, 12, x'00ff10', 'loose leaf'),
    (2, 'Coffee', 0.1, 9223372036854775807, x'', 42),
    (3, '', -1.5e-300, -9223372036854775808, NULL, 2.25),
    (4, 'Mixed', 'not a number', 'n/a', 'text in a blob column', x'cafe'),
    (9007199254740991, 'Big rowid', 1e308, 0, x'deadbeef', NULL);
  CREATE TABLE "order lines" (line INTEGER PRIMARY KEY AUTOINCREMENT, product INTEGER REFERENCES products(id), qty NUMERIC, note);
  INSERT INTO "order lines" (product, qty, note) VALUES (1, 2, NULL), (2, 1.5, x'01'), (4, '3 boxes', 'gift');
  DELETE FROM "order lines" WHERE line = 2;
  CREATE TABLE audit (at TEXT, what TEXT);
  CREATE TRIGGER products_audit AFTER UPDATE ON products BEGIN
    INSERT INTO audit VALUES ('now', 'product ' || NEW.id || ' changed');
  END;
  CREATE VIEW in_stock AS SELECT id, name FROM products WHERE typeof(stock) = 'integer' AND stock > 0;
  CREATE TABLE settings (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
  INSERT INTO settings VALUES ('currency', 'EUR'), ('vat', 0.2), ('limit', 100), ('logo', x'89504e47');
`;

/** A shop: SQL tables of every kind, KV entries and an alarm. */
export class Shop extends DurableObject {
  build(): void {
    this.ctx.storage.sql.exec(SCHEMA);
  }

  /** One changed row in one table (and, by the trigger, one new audit row). */
  reprice(): void {
    this.ctx.storage.sql.exec("UPDATE products SET price = 4.25 WHERE id = 1");
  }

  /** Plain products with ids from 100 on, so the table spans several data files. */
  addProducts(count: number): void {
    this.ctx.storage.sql.exec(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${Math.floor(count)})
       INSERT INTO products (id, name, price, stock) SELECT 99 + i, 'product ' || i, i * 0.5, i FROM n`,
    );
  }

  /** More tables, each with a few rows, for the round-trip count. */
  addTables(count: number): void {
    for (let i = 0; i < count; i++) {
      this.ctx.storage.sql.exec(`CREATE TABLE extra_${i} (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO extra_${i} (v) VALUES ('a'), ('b')`);
    }
  }

  async remember(entries: Record<string, unknown>): Promise<void> {
    await this.ctx.storage.put(entries);
  }

  async recall(keys: string[]): Promise<Map<string, unknown>> {
    return this.ctx.storage.get(keys);
  }

  async schedule(time: number): Promise<void> {
    await this.ctx.storage.setAlarm(time);
  }

  async alarmAt(): Promise<number | null> {
    return this.ctx.storage.getAlarm();
  }

  inStock(): unknown[] {
    return this.ctx.storage.sql.exec("SELECT * FROM in_stock ORDER BY id").toArray();
  }

  override async alarm(): Promise<void> {}
}
