// Runs inside an edge isolate (bundled to a script by edge-persistence.test.ts): the runtime's
// own engine and persistence, with compiling wasm from bytes refused, so SQLite's update hook
// is unavailable and every write is "unattributed".
import { EngineChanges, enginePort, ObjectPersistence } from "../../../src/runtime/persistence/index";
import { loadSqliteEngine } from "../../../src/runtime/sqlite/sqljs-engine";
import { createMemoryStore } from "../../../src/runtime/storage/memory";

declare const __precompiledSqlWasm: WebAssembly.Module;

export interface IncrementalReport {
  /** What the engine reported for a plain INSERT into a rowid table. */
  insertUnattributed: boolean;
  /** Tables and data files written by the checkpoint after one changed row. */
  tablesWritten: string[];
  dataFiles: string[];
  /** Rows of `big` in a database restored from the second checkpoint, and the changed value. */
  restoredRows: number;
  restoredValue: string;
}

async function run(): Promise<IncrementalReport> {
  const engine = await loadSqliteEngine(__precompiledSqlWasm);

  const probe = engine.open();
  probe.execute("CREATE TABLE t (x)", []);
  probe.takeChanges();
  probe.execute("INSERT INTO t VALUES (1)", []);
  const insertUnattributed = probe.takeChanges().unattributed;
  probe.close();

  const store = createMemoryStore();
  const db = engine.open();
  const persistence = new ObjectPersistence({ store, port: enginePort(db), changes: new EngineChanges(db), chunkRows: 1000 });
  await persistence.acquireLease();
  db.execute("CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE small (k TEXT PRIMARY KEY, v INTEGER)", []);
  db.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) INSERT INTO big SELECT i, 'row ' || i FROM n", []);
  db.execute("INSERT INTO small VALUES ('a', 1)", []);
  db.commit();
  await persistence.checkpoint();
  db.execute("UPDATE big SET v = 'changed' WHERE id = 2500", []);
  db.commit();
  const result = await persistence.checkpoint();
  const second = (await store.list("snapshots/seq-2-")).objects.map((o) => o.key);

  const copy = engine.open();
  await new ObjectPersistence({ store, port: enginePort(copy), changes: new EngineChanges(copy) }).restore();
  const [[rows] = []] = copy.query("SELECT count(*) FROM big");
  const [[value] = []] = copy.query("SELECT v FROM big WHERE id = 2500");
  return {
    insertUnattributed,
    tablesWritten: result?.tablesWritten ?? [],
    dataFiles: second.filter((key) => key.endsWith(".parquet")).map((key) => key.slice(key.lastIndexOf("/") + 1)),
    restoredRows: Number(rows),
    restoredValue: String(value),
  };
}

(globalThis as { runIncremental?: () => Promise<string> }).runIncremental = () => run().then((report) => JSON.stringify(report));
