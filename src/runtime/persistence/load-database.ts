import { RestoreTargetNotEmptyError } from "./errors";
import { quoteId, type SchemaObject, type SchemaObjectType } from "./schema";
import type { SqlPort } from "./sql-port";

/** Everything about a database except table rows. */
export interface DatabaseSchema {
  objects: SchemaObject[];
  /** `sqlite_sequence`: table → counter (decimal). */
  sequences: Record<string, string>;
}

/**
 * Recreates a database: tables, then rows (`insertRows` per table), the AUTOINCREMENT
 * counters, then indexes, views and triggers — triggers last so restoring rows fires none.
 * The database must be empty unless `replace` is set, in which case its contents are dropped
 * first. One savepoint (which also nests in an engine's implicit transaction): on failure the
 * database is as it was. Rows arrive table by table, so foreign keys are off while loading —
 * or, where the engine keeps a transaction open and the pragma cannot change, deferred.
 */
export function loadDatabase(port: SqlPort, schema: DatabaseSchema, insertRows: (table: string) => void, replace = false): void {
  if (!replace && port.query("SELECT 1 FROM sqlite_master LIMIT 1").length > 0) throw new RestoreTargetNotEmptyError();
  const foreignKeys = () => Number(port.query("PRAGMA foreign_keys")[0]?.[0]) === 1;
  const enforced = foreignKeys();
  if (enforced) port.exec("PRAGMA foreign_keys = OFF");
  const switchedOff = enforced && !foreignKeys();
  port.exec("SAVEPOINT dotdo_restore");
  try {
    if (enforced && !switchedOff) port.exec("PRAGMA defer_foreign_keys = ON");
    if (replace) dropAll(port);
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
    port.exec("RELEASE dotdo_restore");
  } catch (error) {
    port.exec("ROLLBACK TO dotdo_restore; RELEASE dotdo_restore");
    throw error;
  } finally {
    if (switchedOff) port.exec("PRAGMA foreign_keys = ON");
  }
}

/** Drops every user object; SQLite's own tables (e.g. sqlite_sequence) are only emptied. */
function dropAll(port: SqlPort): void {
  const objects = port.query(
    "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view', 'trigger') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
  );
  for (const [type, name] of objects) {
    port.exec(`DROP ${String(type).toUpperCase()} IF EXISTS ${quoteId(String(name))}`);
  }
  if (port.query("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").length > 0) port.exec("DELETE FROM sqlite_sequence");
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
