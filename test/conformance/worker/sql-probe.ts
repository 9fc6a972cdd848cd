import { DurableObject } from "cloudflare:workers";
import { encode, outcome, outcomeSync, type Encoded, type Outcome } from "./encode";

/** One behaviour of `ctx.storage.sql` per method; every result is plain and comparable. */
export class SqlProbe extends DurableObject {
  /** Present so deleteAll() can be shown to clear a pending alarm (setAlarm needs a handler). */
  override alarm(): void {}

  /** Every SQLite storage class, read back as stored and as `typeof`. */
  valueTypes(): Encoded {
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS t (v)");
    this.ctx.storage.sql.exec("DELETE FROM t");
    const values: unknown[] = [
      0,
      -1,
      2 ** 31,
      2 ** 53 - 1,
      -(2 ** 53 - 1),
      1.5,
      -0.25,
      1e300,
      "text",
      "",
      "ünï😀",
      new Uint8Array([0, 1, 254, 255]).buffer,
      new ArrayBuffer(0),
      null,
    ];
    for (const v of values) this.ctx.storage.sql.exec("INSERT INTO t (v) VALUES (?)", v);
    const rows = this.ctx.storage.sql.exec("SELECT v, typeof(v) AS storage FROM t ORDER BY rowid").toArray();
    return encode(rows);
  }

  /** Declared column types convert bound JS values (numbers arrive as REAL); STRICT refuses. */
  columnAffinity(): Record<string, Outcome> {
    const sql = this.ctx.storage.sql;
    sql.exec("CREATE TABLE aff (i INTEGER, r REAL, t TEXT, b BLOB, n NUMERIC, a ANY)");
    sql.exec("INSERT INTO aff VALUES (?, ?, ?, ?, ?, ?)", 1, 2, 3, 4, 5, 6);
    sql.exec("INSERT INTO aff VALUES (?, ?, ?, ?, ?, ?)", 1.5, "2", "3", "4", "5.0", "6");
    sql.exec("CREATE TABLE st (i INTEGER) STRICT");
    return {
      rows: outcomeSync(() =>
        sql
          .exec(
            "SELECT i, typeof(i) AS ti, r, typeof(r) AS tr, t, typeof(t) AS tt, b, typeof(b) AS tb, n, typeof(n) AS tn, a, typeof(a) AS ta FROM aff ORDER BY rowid",
          )
          .toArray(),
      ),
      strictReal: outcomeSync(() => sql.exec("INSERT INTO st VALUES (?)", 1.5).rowsWritten),
      strictWhole: outcomeSync(() => {
        sql.exec("INSERT INTO st VALUES (?)", 2);
        return sql.exec("SELECT i, typeof(i) AS t FROM st").toArray();
      }),
    };
  }

  /** SQLite features and extensions Worker code relies on. */
  features(): Record<string, Outcome> {
    const sql = this.ctx.storage.sql;
    const run = (query: string, ...bindings: unknown[]) => outcomeSync(() => sql.exec(query, ...bindings).toArray());
    return {
      json: run(`SELECT json_extract('{"a":[1,{"b":2}]}', '$.a[1].b') AS v, json_array(1, 'x') AS arr`),
      jsonb: run(`SELECT json(jsonb('{"k":true}')) AS v`),
      math: run("SELECT sqrt(16) AS root, pow(2, 10) AS p, floor(2.7) AS f, pi() > 3.14 AS pi"),
      window: run("SELECT v, sum(v) OVER (ORDER BY v) AS running FROM (SELECT 1 AS v UNION ALL SELECT 2 UNION ALL SELECT 3)"),
      cte: run("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4) SELECT group_concat(i) AS s FROM n"),
      upsert: outcomeSync(() => {
        sql.exec("CREATE TABLE up (k TEXT PRIMARY KEY, n INTEGER)");
        sql.exec("INSERT INTO up VALUES ('a', 1) ON CONFLICT (k) DO UPDATE SET n = n + 1");
        sql.exec("INSERT INTO up VALUES ('a', 1) ON CONFLICT (k) DO UPDATE SET n = n + 1");
        return sql.exec("SELECT * FROM up").toArray();
      }),
      generated: outcomeSync(() => {
        sql.exec("CREATE TABLE gen (a INTEGER, b INTEGER GENERATED ALWAYS AS (a * 2) STORED)");
        sql.exec("INSERT INTO gen (a) VALUES (21)");
        return sql.exec("SELECT a, b FROM gen").toArray();
      }),
      foreignKeys: outcomeSync(() => {
        sql.exec("CREATE TABLE parent (id INTEGER PRIMARY KEY)");
        sql.exec("CREATE TABLE child (pid INTEGER REFERENCES parent (id))");
        return sql.exec("INSERT INTO child VALUES (42)").rowsWritten;
      }),
      pragmaTableInfo: run("PRAGMA table_info(up)"),
      pragmaForeignKeys: run("PRAGMA foreign_keys"),
      likeCaseSensitivity: run("SELECT 'A' LIKE 'a' AS v"),
      randomBlob: outcomeSync(() => sql.exec("SELECT length(randomblob(8)) AS n").one().n),
      dateFunctions: run("SELECT date('2024-02-28', '+1 day') AS d, strftime('%Y', '2001-01-01') AS y"),
    };
  }

  fullTextSearch(): Outcome {
    const sql = this.ctx.storage.sql;
    return outcomeSync(() => {
      sql.exec("CREATE VIRTUAL TABLE docs USING fts5(body)");
      sql.exec("INSERT INTO docs (body) VALUES ('durable objects everywhere'), ('iceberg tables')");
      return sql.exec("SELECT body FROM docs WHERE docs MATCH 'durable'").toArray();
    });
  }

  /** JSON a scalar subquery returns, nested in more JSON: a JSON object there, or a string? */
  jsonFromSubquery(): Outcome {
    const run = (query: string) => this.ctx.storage.sql.exec(query).one().j;
    return outcomeSync(() => ({
      direct: run("SELECT json_object('c', json_object('a', 1)) AS j"),
      subquery: run("SELECT json_object('c', (SELECT json_group_object('a', 1))) AS j"),
    }));
  }

  /** Modules and functions workerd's authorizer refuses. */
  refusedFeatures(): Record<string, Outcome> {
    const run = (query: string) => outcomeSync(() => this.ctx.storage.sql.exec(query).toArray());
    return {
      fts3: run("CREATE VIRTUAL TABLE old USING fts3(body)"),
      rtree: run("CREATE VIRTUAL TABLE boxes USING rtree(id, x0, x1)"),
      sqliteVersion: run("SELECT sqlite_version() AS v"),
    };
  }

  parameterStyles(): Record<string, Outcome> {
    const sql = this.ctx.storage.sql;
    return {
      numbered: outcomeSync(() => sql.exec("SELECT ?1 AS a, ?1 AS b", 5).toArray()),
      numberedGap: outcomeSync(() => sql.exec("SELECT ?2 AS a", 5, 6).toArray()),
      named: outcomeSync(() => sql.exec("SELECT :x AS a", 5).toArray()),
      dollarAndNumbered: outcomeSync(() => sql.exec("SELECT $x AS a, ?2 AS b", 5, 6).toArray()),
      atSign: outcomeSync(() => sql.exec("SELECT @x AS a, @x AS b", 7).toArray()),
    };
  }

  /** Bindings JS has but SQLite does not: booleans, BigInt, typed arrays, undefined, objects. */
  oddBindings(): Record<string, Outcome> {
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS b (v)");
    const bind = (v: unknown) =>
      outcomeSync(() => this.ctx.storage.sql.exec("SELECT ? AS v, typeof(?) AS storage", v, v).one());
    return {
      true: bind(true),
      false: bind(false),
      bigint: bind(5n),
      bigBigint: bind(2n ** 63n),
      uint8array: bind(new Uint8Array([7, 8])),
      subarray: bind(new Uint8Array([1, 2, 3, 4]).subarray(1, 3)),
      dataView: bind(new DataView(new Uint8Array([5, 6]).buffer)),
      undefined: bind(undefined),
      object: bind({ a: 1 }),
      date: bind(new Date(0)),
      nan: bind(Number.NaN),
      infinity: bind(Number.POSITIVE_INFINITY),
    };
  }

  /** Integers at and beyond 2^53 as SQLite computes them, read back into JS. */
  bigIntegers(): Record<string, Outcome> {
    const read = (expr: string) => outcomeSync(() => this.ctx.storage.sql.exec(`SELECT ${expr} AS v`).one());
    return {
      maxSafe: read("9007199254740991"),
      maxSafePlusOne: read("9007199254740992"),
      maxSafePlusTwo: read("9007199254740993"),
      int64Max: read("9223372036854775807"),
      int64Min: read("-9223372036854775808"),
      textOfBig: read("CAST(9007199254740993 AS TEXT)"),
      bindUnsafeNumber: outcomeSync(() => this.ctx.storage.sql.exec("SELECT ? AS v", 2 ** 60).one()),
    };
  }

  errors(): Record<string, Outcome> {
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS uniq (k TEXT PRIMARY KEY, n INTEGER NOT NULL)");
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO uniq VALUES ('a', 1)");
    const run = (query: string, ...bindings: unknown[]) =>
      outcomeSync(() => this.ctx.storage.sql.exec(query, ...bindings).toArray());
    return {
      syntax: run("SELEC 1"),
      unknownTable: run("SELECT * FROM nope"),
      unknownColumn: run("SELECT nope FROM uniq"),
      uniqueConstraint: run("INSERT INTO uniq VALUES ('a', 2)"),
      notNull: run("INSERT INTO uniq VALUES ('b', NULL)"),
      tooFewBindings: run("SELECT ?, ?", 1),
      tooManyBindings: run("SELECT ?", 1, 2),
      emptyQuery: run(""),
      onlyComment: run("-- nothing"),
      begin: run("BEGIN"),
      beginTransaction: run("BEGIN TRANSACTION"),
      commit: run("COMMIT"),
      rollback: run("ROLLBACK"),
      savepoint: run("SAVEPOINT sp"),
      release: run("RELEASE sp"),
      beginLowercase: run("begin"),
      beginInMulti: run("SELECT 1; BEGIN; SELECT 2"),
      attach: run("ATTACH DATABASE ':memory:' AS other"),
      pragmaJournal: run("PRAGMA journal_mode"),
      cfTable: run("CREATE TABLE _cf_mine (x)"),
      readCfKv: run("SELECT * FROM _cf_KV"),
    };
  }

  /** Several statements in one exec: which ones run and what the cursor shows. */
  multiStatement(): Record<string, Outcome> {
    this.ctx.storage.sql.exec("DROP TABLE IF EXISTS m");
    const created = outcomeSync(() => {
      const cursor = this.ctx.storage.sql.exec(
        "CREATE TABLE m (x); INSERT INTO m VALUES (1); INSERT INTO m VALUES (2); SELECT x FROM m ORDER BY x",
      );
      return { rows: cursor.toArray(), columnNames: cursor.columnNames, rowsWritten: cursor.rowsWritten };
    });
    const lastNotSelect = outcomeSync(() => {
      const cursor = this.ctx.storage.sql.exec("SELECT x FROM m; INSERT INTO m VALUES (3)");
      return { rows: cursor.toArray(), columnNames: cursor.columnNames };
    });
    const bindingsAcross = outcomeSync(() => this.ctx.storage.sql.exec("SELECT ?; SELECT ?", 1, 2).toArray());
    const failsHalfway = outcomeSync(() =>
      this.ctx.storage.sql.exec("INSERT INTO m VALUES (10); INSERT INTO nope VALUES (1); INSERT INTO m VALUES (11)"),
    );
    const after = this.ctx.storage.sql.exec("SELECT x FROM m ORDER BY x").toArray();
    const trailingSemicolons = outcomeSync(() => this.ctx.storage.sql.exec("SELECT 1 AS a;;  ; ").toArray());
    const trailingComment = outcomeSync(() => this.ctx.storage.sql.exec("SELECT 1 AS a; -- done").toArray());
    const leadingComment = outcomeSync(() => this.ctx.storage.sql.exec("/* first */ SELECT 1 AS a").toArray());
    return {
      created,
      lastNotSelect,
      bindingsAcross,
      failsHalfway,
      after: { ok: encode(after) },
      trailingSemicolons,
      trailingComment,
      leadingComment,
    };
  }

  /** Semicolons, keywords and `?` where they are not what they seem: strings, comments, triggers. */
  statementParsing(): Record<string, Outcome> {
    const sql = this.ctx.storage.sql;
    const run = (query: string, ...bindings: unknown[]) => outcomeSync(() => sql.exec(query, ...bindings).toArray());
    return {
      semicolonInString: run("SELECT 'a;b' AS v"),
      keywordInString: run("SELECT 'BEGIN; COMMIT' AS v"),
      semicolonInIdentifier: run('SELECT 1 AS "x;y"'),
      semicolonInBlockComment: run("SELECT 1 /* ; */ AS v"),
      semicolonInLineComment: run("SELECT 1 -- ;\n AS v"),
      questionMarkInString: run("SELECT '?' AS q, ? AS v", 7),
      keywordAsColumn: run('CREATE TABLE kw ("begin" INTEGER, "commit" TEXT); INSERT INTO kw VALUES (1, \'c\'); SELECT "begin", "commit" FROM kw'),
      trigger: outcomeSync(() => {
        sql.exec("CREATE TABLE tr (v INTEGER); CREATE TABLE trlog (v INTEGER)");
        sql.exec(
          "CREATE TRIGGER tr_after AFTER INSERT ON tr BEGIN INSERT INTO trlog VALUES (new.v); INSERT INTO trlog VALUES (new.v * 10); END",
        );
        sql.exec("INSERT INTO tr VALUES (?)", 4);
        return sql.exec("SELECT v FROM trlog ORDER BY v").toArray();
      }),
      triggerThenSelect: run("CREATE TRIGGER tr_second AFTER DELETE ON tr BEGIN DELETE FROM trlog; END; SELECT count(*) AS n FROM trlog"),
    };
  }

  cursor(): Record<string, Outcome | Encoded> {
    this.ctx.storage.sql.exec("DROP TABLE IF EXISTS c");
    this.ctx.storage.sql.exec("CREATE TABLE c (id INTEGER PRIMARY KEY, name TEXT)");
    const insert = this.ctx.storage.sql.exec("INSERT INTO c (name) VALUES ('a'), ('b'), ('c')");
    const insertInfo = { rowsRead: insert.rowsRead, rowsWritten: insert.rowsWritten, rows: insert.toArray() };
    const select = this.ctx.storage.sql.exec("SELECT id, name FROM c ORDER BY id");
    const beforeIteration = { columnNames: select.columnNames, rowsRead: select.rowsRead };
    const first = select.next();
    const rest = [...select];
    const afterIteration = { rowsRead: select.rowsRead, rowsWritten: select.rowsWritten, next: select.next() };

    const raw = this.ctx.storage.sql.exec("SELECT id, name FROM c ORDER BY id").raw();
    const rawRows = [...raw];

    const mixed = this.ctx.storage.sql.exec("SELECT id, name FROM c ORDER BY id");
    const mixedFirst = mixed.next();
    // workerd's raw() iterator has toArray(), although workers-types does not declare it.
    const mixedRest = (mixed.raw() as unknown as { toArray(): unknown[] }).toArray();

    const sameNames = this.ctx.storage.sql.exec("SELECT 1 AS x, 2 AS x").toArray();
    const sameNamesRaw = [...this.ctx.storage.sql.exec("SELECT 1 AS x, 2 AS x").raw()];
    const update = this.ctx.storage.sql.exec("UPDATE c SET name = name || '!' WHERE id >= 2");
    const del = this.ctx.storage.sql.exec("DELETE FROM c WHERE id = 1");
    const toArrayTwice = this.ctx.storage.sql.exec("SELECT id FROM c ORDER BY id");
    const firstArray = toArrayTwice.toArray();

    return {
      insertInfo: encode(insertInfo),
      beforeIteration: encode(beforeIteration),
      first: encode(first),
      rest: encode(rest),
      afterIteration: encode(afterIteration),
      rawRows: encode(rawRows),
      rawColumnNames: encode(Reflect.get(raw, "columnNames")),
      mixed: encode({ mixedFirst, mixedRest }),
      sameNames: encode({ sameNames, sameNamesRaw }),
      update: encode({ rowsRead: update.rowsRead, rowsWritten: update.rowsWritten }),
      delete: encode({ rowsRead: del.rowsRead, rowsWritten: del.rowsWritten }),
      toArrayTwice: encode({ firstArray, secondArray: toArrayTwice.toArray() }),
      oneOfZero: outcomeSync(() => this.ctx.storage.sql.exec("SELECT id FROM c WHERE id = 99").one()),
      oneOfOne: outcomeSync(() => this.ctx.storage.sql.exec("SELECT id, name FROM c WHERE id = 2").one()),
      oneOfTwo: outcomeSync(() => this.ctx.storage.sql.exec("SELECT id FROM c").one()),
      oneAfterNext: outcomeSync(() => {
        const cursor = this.ctx.storage.sql.exec("SELECT id FROM c ORDER BY id");
        cursor.next();
        return cursor.one();
      }),
      columnNamesOfNoRows: encode(this.ctx.storage.sql.exec("SELECT id, name AS label FROM c WHERE 0").columnNames),
      iteratorIsSelf: encode(select[Symbol.iterator]() === select),
    };
  }

  /** A cursor steps lazily on workerd: writes made while it is open can show in later rows. */
  writesDuringIteration(): Encoded {
    const sql = this.ctx.storage.sql;
    sql.exec("CREATE TABLE wi (id INTEGER PRIMARY KEY, v TEXT)");
    sql.exec("INSERT INTO wi (v) VALUES ('a'), ('b'), ('c'), ('d'), ('e')");
    const cursor = sql.exec("SELECT id, v FROM wi ORDER BY id");
    const first = cursor.next();
    sql.exec("UPDATE wi SET v = 'changed' WHERE id = 4");
    sql.exec("INSERT INTO wi (v) VALUES ('added')");
    return encode({ first, rest: [...cursor] });
  }

  /** A value computed inside SQL beyond the length limit, stored rather than returned. */
  oversizedComputedValue(): Record<string, Outcome> {
    const sql = this.ctx.storage.sql;
    sql.exec("CREATE TABLE big_computed (b)");
    return {
      stored: outcomeSync(() => sql.exec("INSERT INTO big_computed SELECT zeroblob(2200001)").rowsWritten),
      rows: outcomeSync(() => sql.exec("SELECT count(*) AS n FROM big_computed").one().n),
    };
  }

  /** Two live cursors over the same query text, and writes while a cursor is open. */
  interleavedCursors(): Encoded {
    const sql = this.ctx.storage.sql;
    sql.exec("CREATE TABLE ic (id INTEGER PRIMARY KEY, v TEXT)");
    sql.exec("INSERT INTO ic (v) VALUES ('a'), ('b'), ('c')");
    const query = "SELECT id, v FROM ic WHERE id <= 3 ORDER BY id";
    const first = sql.exec(query);
    const second = sql.exec(query);
    const steps = [first.next(), second.next(), second.next(), first.next()];
    sql.exec("UPDATE ic SET v = 'changed' WHERE id = 3");
    return encode({
      steps,
      firstRest: [...first],
      secondRest: [...second],
      counters: { first: first.rowsRead, second: second.rowsRead },
    });
  }

  /** rowsRead / rowsWritten for the kinds of statement that count differently. */
  rowCounters(): Record<string, Outcome> {
    const sql = this.ctx.storage.sql;
    const counters = (query: string, ...bindings: unknown[]) =>
      outcomeSync(() => {
        const cursor = sql.exec(query, ...bindings);
        const rows = cursor.toArray().length;
        return { rows, rowsRead: cursor.rowsRead, rowsWritten: cursor.rowsWritten };
      });
    return {
      create: counters("CREATE TABLE rc (id INTEGER PRIMARY KEY, k TEXT, n INTEGER)"),
      insertSelect: counters(
        "INSERT INTO rc (k, n) SELECT 'k' || value, value FROM json_each('[1,2,3,4,5,6,7,8,9,10]')",
      ),
      countAll: counters("SELECT count(*) AS c FROM rc"),
      pointLookup: counters("SELECT * FROM rc WHERE id = ?", 3),
      scanWithFilter: counters("SELECT * FROM rc WHERE n > 7"),
      createIndex: counters("CREATE INDEX rc_k ON rc (k)"),
      indexLookup: counters("SELECT * FROM rc WHERE k = 'k4'"),
      join: counters("SELECT a.id FROM rc a JOIN rc b ON a.id = b.id WHERE a.n <= 2"),
      updateSome: counters("UPDATE rc SET n = n + 100 WHERE n <= 3"),
      updateIndexed: counters("UPDATE rc SET k = k || '!' WHERE id = 5"),
      deleteSome: counters("DELETE FROM rc WHERE n > 8 AND n < 100"),
      deleteAll: counters("DELETE FROM rc"),
      dropTable: counters("DROP TABLE rc"),
    };
  }

  /** INSERT ... RETURNING: rows come back, and the counters count what SQLite did. */
  returning(): Encoded {
    const sql = this.ctx.storage.sql;
    sql.exec("CREATE TABLE r (id INTEGER PRIMARY KEY, name TEXT)");
    sql.exec("INSERT INTO r (name) VALUES ('a'), ('b'), ('c')");
    const cursor = sql.exec("INSERT INTO r (name) VALUES ('d'), ('e') RETURNING id, name");
    const inserted = {
      columnNames: cursor.columnNames,
      rows: cursor.toArray(),
      rowsRead: cursor.rowsRead,
      rowsWritten: cursor.rowsWritten,
    };
    const updated = sql.exec("UPDATE r SET name = upper(name) WHERE id > 3 RETURNING name");
    const updatedInfo = { rows: updated.toArray(), rowsRead: updated.rowsRead, rowsWritten: updated.rowsWritten };
    return encode({ inserted, updated: updatedInfo });
  }

  /** Page-granular size: report only what both runtimes must agree on. */
  databaseSize(): Encoded {
    const before = this.ctx.storage.sql.databaseSize;
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS big (b BLOB)");
    this.ctx.storage.sql.exec("INSERT INTO big VALUES (zeroblob(200000))");
    const after = this.ctx.storage.sql.databaseSize;
    return encode({
      type: typeof before,
      positive: before > 0,
      grewBy200k: after - before >= 200_000,
      pageMultiple: before % 4096 === 0 && after % 4096 === 0,
    });
  }

  /**
   * Statement and value size limits at workerd's boundaries (100,000-byte statements,
   * 2,200,000-byte strings and BLOBs, 100 bound parameters). The long statement runs first:
   * workerd's "statement too long" message borrows a stale offset from an earlier error.
   */
  createPostsTables(): void {
    this.ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY); CREATE TABLE IF NOT EXISTS posts (id INTEGER PRIMARY KEY, uid INTEGER REFERENCES users (id))",
    );
  }

  /** Leaves a deferred foreign key violated when the implicit transaction commits. */
  violateDeferredForeignKey(): string {
    this.ctx.storage.transactionSync(() => {
      this.ctx.storage.sql.exec("PRAGMA defer_foreign_keys = ON");
      this.ctx.storage.sql.exec("INSERT INTO posts (uid) VALUES (7)");
    });
    return "returned";
  }

  countPosts(): number {
    return this.ctx.storage.sql.exec("SELECT count(*) AS n FROM posts").one().n as number;
  }

  /**
   * workerd's local bookmarks: a counter in Cloudflare's format; no point-in-time recovery.
   * (`waitForBookmark` needs workerd's `experimental` flag: workerd's own sql-test covers it.)
   */
  async bookmarks(): Promise<Record<string, Outcome>> {
    const storage = this.ctx.storage;
    const first = await outcome(() => storage.getCurrentBookmark());
    const second = await outcome(() => storage.getCurrentBookmark());
    return {
      first,
      second,
      forTime: await outcome(() => storage.getBookmarkForTime(Date.now() - 1000)),
      restore: await outcome(() => storage.onNextSessionRestoreBookmark(String((first as { ok: string }).ok))),
    };
  }

  limits(): Record<string, Outcome> {
    const select = (statement: string, ...bindings: unknown[]) =>
      outcomeSync(() => [...this.ctx.storage.sql.exec(statement, ...bindings).raw()].length);
    const padded = (length: number) => `SELECT 1${" ".repeat(length - "SELECT 1".length)}`;
    const params = (n: number) => select(`SELECT ${Array.from({ length: n }, () => "?").join(",")}`, ...Array(n).fill(1));
    return {
      statementOverLimit: select(padded(100_001)),
      statementAtLimit: select(padded(100_000)),
      params100: params(100),
      params101: params(101),
      stringAtLimit: select("SELECT length(?)", "x".repeat(2_200_000)),
      stringOverLimit: select("SELECT length(?)", "x".repeat(2_200_001)),
      blobAtLimit: select("SELECT length(?)", new ArrayBuffer(2_200_000)),
      blobOverLimit: select("SELECT length(?)", new ArrayBuffer(2_200_001)),
      computedOverLimit: select("SELECT zeroblob(2200001)"),
    };
  }

  transactionSync(): Record<string, Outcome> {
    this.ctx.storage.sql.exec("DROP TABLE IF EXISTS tx");
    this.ctx.storage.sql.exec("CREATE TABLE tx (v INTEGER)");
    const count = () => this.ctx.storage.sql.exec("SELECT count(*) AS n FROM tx").one().n;
    const committed = outcomeSync(() =>
      this.ctx.storage.transactionSync(() => {
        this.ctx.storage.sql.exec("INSERT INTO tx VALUES (1)");
        return "returned";
      }),
    );
    const afterCommit = count();
    const rolledBack = outcomeSync(() =>
      this.ctx.storage.transactionSync(() => {
        this.ctx.storage.sql.exec("INSERT INTO tx VALUES (2)");
        throw new RangeError("undo");
      }),
    );
    const afterRollback = count();
    const nested = outcomeSync(() =>
      this.ctx.storage.transactionSync(() => {
        this.ctx.storage.sql.exec("INSERT INTO tx VALUES (3)");
        try {
          this.ctx.storage.transactionSync(() => {
            this.ctx.storage.sql.exec("INSERT INTO tx VALUES (4)");
            throw new Error("inner");
          });
        } catch {
          // the inner rollback is what is measured below
        }
        return count();
      }),
    );
    const afterNested = count();
    const asyncCallback = outcomeSync(() => this.ctx.storage.transactionSync((async () => 1) as never));
    return {
      committed,
      afterCommit: { ok: encode(afterCommit) },
      rolledBack,
      afterRollback: { ok: encode(afterRollback) },
      nested,
      afterNested: { ok: encode(afterNested) },
      asyncCallback,
    };
  }

  /** deleteAll also drops SQL tables on SQLite-backed objects. */
  async deleteAll(): Promise<Encoded> {
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS gone (v)");
    this.ctx.storage.sql.exec("INSERT INTO gone VALUES (1)");
    await this.ctx.storage.put("k", "v");
    await this.ctx.storage.setAlarm(Date.now() + 3_600_000);
    const result = await this.ctx.storage.deleteAll();
    const tables = this.ctx.storage.sql
      .exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%'")
      .toArray();
    return encode({
      result,
      tables,
      kv: await this.ctx.storage.get("k"),
      alarmKept: (await this.ctx.storage.getAlarm()) !== null,
    });
  }

  /** Tables a user can see in sqlite_master, before and after the KV API is used. */
  async visibleTables(): Promise<Encoded> {
    const names = () =>
      this.ctx.storage.sql
        .exec("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .toArray()
        .map((r) => r.name);
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS mine (v)");
    const sqlOnly = names();
    await this.ctx.storage.put("k", 1);
    return encode({ sqlOnly, afterKv: names() });
  }
}
