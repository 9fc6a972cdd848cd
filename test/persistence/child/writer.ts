/**
 * A separate process that owns one object on the file store (for the kill -9 and two-process
 * tests). argv: root, holder, lease ttl ms, mode (`loop`: checkpoint one new row after another
 * forever; `hold`: take the lease, commit once, then wait to be killed).
 * Prints one line per event: `LEASE <generation>`, `HELD <code>`, `ACK <sequence>`.
 */
import initSqlJs from "sql.js";
import { FencedError } from "../../../src/runtime/persistence/errors";
import { ObjectPersistence } from "../../../src/runtime/persistence/object-persistence";
import { sqlJsPort } from "../../../src/runtime/persistence/sqljs-port";
import { createFileStore } from "../../../src/runtime/storage/file";

const [root, holder, ttl, mode] = process.argv.slice(2) as [string, string, string, "loop" | "hold"];
const SQL = await initSqlJs();
const port = sqlJsPort(new SQL.Database());
const store = await createFileStore(root);
const persistence = new ObjectPersistence({ store, port, holder, leaseTtlMs: Number(ttl), chunkRows: 8 });

try {
  const lease = await persistence.acquireLease();
  console.log(`LEASE ${lease.generation}`);
} catch (error) {
  if (error instanceof FencedError) {
    console.log(`HELD ${error.code}`);
    process.exit(0);
  }
  throw error;
}
await persistence.restore();
port.exec("CREATE TABLE IF NOT EXISTS log (seq INTEGER PRIMARY KEY, note TEXT)");
do {
  // Invariant the parent checks: commit N holds exactly the rows 1..N.
  const next = (persistence.head?.sequence ?? 0) + 1;
  port.exec(`INSERT INTO log VALUES (${next}, 'written by ${holder}')`);
  const result = await persistence.checkpoint();
  console.log(`ACK ${result?.sequence}`);
} while (mode === "loop");
setInterval(() => undefined, 1_000);
