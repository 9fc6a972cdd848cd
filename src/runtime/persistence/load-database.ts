import { RestoreTargetNotEmptyError } from "./errors";
import type { SchemaObject, SchemaObjectType } from "./schema";
import type { SqlPort } from "./sql-port";

/** Everything about a database except table rows. */
export interface DatabaseSchema {
  objects: SchemaObject[];
  /** `sqlite_sequence`: table → counter (decimal). */
  sequences: Record<string, string>;
}

/**
 * Recreates a database in an empty one: tables, then rows (`insertRows` per table), the
 * AUTOINCREMENT counters, then indexes, views and triggers — triggers last so restoring rows
 * fires none. Foreign keys are off while loading because rows arrive table by table. One
 * transaction: a failure leaves the database empty.
 */
export function loadDatabase(port: SqlPort, schema: DatabaseSchema, insertRows: (table: string) => void): void {
  if (port.query("SELECT 1 FROM sqlite_master LIMIT 1").length > 0) throw new RestoreTargetNotEmptyError();
  const foreignKeys = Number(port.query("PRAGMA foreign_keys")[0]?.[0]) === 1;
  if (foreignKeys) port.exec("PRAGMA foreign_keys = OFF");
  port.exec("BEGIN");
  try {
    createAll(port, schema.objects, "table");
    for (const object of schema.objects) if (object.type === "table") insertRows(object.name);
    const counters = Object.entries(schema.sequences);
    if (counters.length > 0) {
      port.exec("DELETE FROM sqlite_sequence");
      port.runMany(
        "INSERT INTO sqlite_sequence (name, seq) VALUES (?, CAST(? AS INTEGER))",
        counters.map(([name, seq]) => [name, seq]),
      );
    }
    for (const type of ["index", "view", "trigger"] as const) createAll(port, schema.objects, type);
    port.exec("COMMIT");
  } catch (error) {
    port.exec("ROLLBACK");
    throw error;
  } finally {
    if (foreignKeys) port.exec("PRAGMA foreign_keys = ON");
  }
}

/**
 * Creates the objects of one type in their original order, retrying those that fail until
 * no more succeed: a view may name a view that was created after it (drop and recreate).
 */
function createAll(port: SqlPort, objects: readonly SchemaObject[], type: SchemaObjectType): void {
  let pending = objects.filter((o) => o.type === type);
  while (pending.length > 0) {
    const failed: { object: SchemaObject; error: unknown }[] = [];
    for (const object of pending) {
      try {
        port.exec(object.sql);
      } catch (error) {
        failed.push({ object, error });
      }
    }
    if (failed.length === pending.length) throw failed[0]!.error;
    pending = failed.map((f) => f.object);
  }
}
