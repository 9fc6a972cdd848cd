#!/usr/bin/env node
/**
 * SQLite engines the runtime could sit on, measured bare (no shim): per-statement cost of an
 * INSERT and a point SELECT, and the memory of 1,000 small databases held open. Inserts run
 * inside one transaction, as the shim coalesces an object's writes (autocommit per statement
 * costs sql.js far more: every commit rewrites its in-memory journal).
 *
 *   node --expose-gc bench/runtime.engines.mjs
 *
 * Runs sql.js and node:sqlite in this process and bun:sqlite in a bun child process
 * (the `bun` npm package), and prints one table.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const STATEMENTS = 20_000;
const DATABASES = 1000;
const SCHEMA =
  "CREATE TABLE rows (id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE kv (key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID;" +
  " INSERT INTO rows (v) VALUES ('touched'); INSERT INTO kv VALUES ('touched', x'01')";

const perStatement = (fn) => {
  const start = performance.now();
  for (let i = 0; i < STATEMENTS; i++) fn(i);
  return ((performance.now() - start) * 1000) / STATEMENTS;
};

/** Runs `fn` inside BEGIN / COMMIT on a database with an `exec(sql)` method. */
const inTransaction = (exec, fn) => {
  exec("BEGIN");
  try {
    return fn();
  } finally {
    exec("COMMIT");
  }
};

const collect = () => (globalThis.Bun ? globalThis.Bun.gc(true) : globalThis.gc());

/** Memory held by DATABASES open databases with the schema above, beyond the moment before. */
function memoryOf(open) {
  collect();
  const before = process.memoryUsage();
  const held = [];
  for (let i = 0; i < DATABASES; i++) held.push(open());
  collect();
  const after = process.memoryUsage();
  return { rss: after.rss - before.rss, external: after.external - before.external, held: held.length };
}

async function sqljs() {
  const { default: initSqlJs } = await import("sql.js");
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  db.run("CREATE TABLE rows (id INTEGER PRIMARY KEY, v TEXT)");
  const exec = (sql) => db.run(sql);
  const uncachedInsert = inTransaction(exec, () =>
    perStatement((i) => {
      const statement = db.prepare("INSERT INTO rows (v) VALUES (?)");
      statement.run([`value ${i}`]);
      statement.free();
    }),
  );
  const insert = db.prepare("INSERT INTO rows (v) VALUES (?)");
  const cachedInsert = inTransaction(exec, () => perStatement((i) => insert.run([`value ${i}`])));
  const select = db.prepare("SELECT v FROM rows WHERE id = ?");
  const cachedSelect = perStatement(() => {
    select.bind([1]);
    while (select.step()) select.get();
    select.reset();
  });
  const memory = memoryOf(() => {
    const d = new SQL.Database();
    d.run(SCHEMA);
    return d;
  });
  return { engine: "sql.js (wasm)", uncachedInsert, cachedInsert, cachedSelect, memory };
}

/** node:sqlite and bun:sqlite share the statement API (`exec`, `prepare().run/all`). */
function nativeEngine(engine, Database) {
  const db = new Database(":memory:");
  db.exec("CREATE TABLE rows (id INTEGER PRIMARY KEY, v TEXT)");
  const exec = (sql) => db.exec(sql);
  const uncachedInsert = inTransaction(exec, () =>
    perStatement((i) => db.prepare("INSERT INTO rows (v) VALUES (?)").run(`value ${i}`)),
  );
  const insert = db.prepare("INSERT INTO rows (v) VALUES (?)");
  const cachedInsert = inTransaction(exec, () => perStatement((i) => insert.run(`value ${i}`)));
  const select = db.prepare("SELECT v FROM rows WHERE id = ?");
  const cachedSelect = perStatement(() => select.all(1));
  const memory = memoryOf(() => {
    const d = new Database(":memory:");
    d.exec(SCHEMA);
    return d;
  });
  return { engine, uncachedInsert, cachedInsert, cachedSelect, memory };
}

async function nodeSqlite() {
  return nativeEngine("node:sqlite", (await import("node:sqlite")).DatabaseSync);
}

async function bunSqlite() {
  return nativeEngine("bun:sqlite", (await import("bun:sqlite")).Database);
}

if (globalThis.Bun) {
  console.log(JSON.stringify(await bunSqlite()));
  process.exit(0);
}
if (typeof globalThis.gc !== "function") {
  console.error("Run with --expose-gc: node --expose-gc bench/runtime.engines.mjs");
  process.exit(1);
}

const results = [await sqljs(), await nodeSqlite()];
const bun = spawnSync(fileURLToPath(new URL("../node_modules/.bin/bun", import.meta.url)), [fileURLToPath(import.meta.url)], {
  encoding: "utf8",
});
if (bun.status === 0) results.push(JSON.parse(bun.stdout));
else console.error(`bun:sqlite skipped: ${bun.error?.message ?? bun.stderr}`);

const us = (v) => `${v.toFixed(2)} µs`;
const mb = (v) => `${(v / 1024 / 1024).toFixed(1)} MB`;
console.log(`${process.version}; ${STATEMENTS} statements each; ${DATABASES} open databases (2 tables, 1 row each)\n`);
console.log("| engine | INSERT, prepared each time | INSERT, cached statement | point SELECT, cached | 1,000 databases: rss | external |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const r of results) {
  console.log(
    `| ${r.engine} | ${us(r.uncachedInsert)} | ${us(r.cachedInsert)} | ${us(r.cachedSelect)} | +${mb(r.memory.rss)} | +${mb(r.memory.external)} |`,
  );
}
