import { rpcError, type Scenario } from "./helpers";

/** `ctx.storage.sql`: values, errors, cursors, limits, transactions. */
export const sqlScenarios: Record<string, Scenario> = {
  "sql value types": (env) => env.SQL.getByName("types").valueTypes(),
  "sql odd bindings": (env) => env.SQL.getByName("bindings").oddBindings(),
  "sql integers beyond 2^53": (env) => env.SQL.getByName("bigint").bigIntegers(),
  "sql column affinity": (env) => env.SQL.getByName("affinity").columnAffinity(),
  "sql features and extensions": (env) => env.SQL.getByName("features").features(),
  "sql full-text search (FTS5)": (env) => env.SQL.getByName("fts5").fullTextSearch(),
  "sql JSON from a scalar subquery": (env) => env.SQL.getByName("json subquery").jsonFromSubquery(),
  "sql refused modules and functions": (env) => env.SQL.getByName("refused").refusedFeatures(),
  "sql parameter styles": (env) => env.SQL.getByName("params").parameterStyles(),
  "sql errors": (env) => env.SQL.getByName("errors").errors(),
  "sql statement parsing": (env) => env.SQL.getByName("parsing").statementParsing(),
  "sql multi-statement exec": (env) => env.SQL.getByName("multi").multiStatement(),
  "sql cursor methods": (env) => env.SQL.getByName("cursor").cursor(),
  "sql interleaved cursors": (env) => env.SQL.getByName("interleaved").interleavedCursors(),
  "sql rowsRead and rowsWritten": (env) => env.SQL.getByName("counters").rowCounters(),
  "sql writes during a cursor's iteration": (env) => env.SQL.getByName("writes during iteration").writesDuringIteration(),
  "sql oversized computed value stored": (env) => env.SQL.getByName("oversized computed").oversizedComputedValue(),
  "sql RETURNING": (env) => env.SQL.getByName("returning").returning(),
  "sql databaseSize grows": (env) => env.SQL.getByName("size").databaseSize(),
  "sql limits": (env) => env.SQL.getByName("limits").limits(),
  "sql bookmarks": (env) => env.SQL.getByName("bookmarks").bookmarks(),
  "sql deferred foreign key violated at commit resets the object": async (env) => {
    const stub = env.SQL.getByName("deferred fk");
    await stub.createPostsTables();
    return {
      violating: await rpcError(() => stub.violateDeferredForeignKey()),
      sameStub: await rpcError(() => stub.countPosts()),
      newStub: await rpcError(() => env.SQL.getByName("deferred fk").countPosts()),
    };
  },
  "sql transactionSync": (env) => env.SQL.getByName("txsync").transactionSync(),
  "sql deleteAll drops tables and KV, keeps the alarm": (env) => env.SQL.getByName("deleteall").deleteAll(),
  "sql visible tables": (env) => env.SQL.getByName("tables").visibleTables(),
  "sql isolation: a hostile object's pragmas and memory bombs harm no other object": async (env) => {
    const hostile = env.HOSTILE.getByName("hostile");
    const pragmas = await hostile.pragmas();
    const memoryBombs = await hostile.memoryBombs();
    return {
      pragmas,
      memoryBombs,
      bystander: await env.HOSTILE.getByName("bystander").work(),
      newObject: await env.HOSTILE.get(env.HOSTILE.newUniqueId()).work(),
      hostileItself: await hostile.work(),
    };
  },
};
