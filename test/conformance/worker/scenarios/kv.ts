import type { Scenario } from "./helpers";

/** The KV API: single keys, batches, listing, cloning, limits, transactions, input gates. */
export const kvScenarios: Record<string, Scenario> = {
  "kv single keys": (env) => env.KV.getByName("single").singleKeys(),
  "kv batches and the 128-key limit": (env) => env.KV.getByName("batch").batches(),
  "kv list options and key order": (env) => env.KV.getByName("list").listing(),
  "kv list prefixes with wildcard characters": (env) => env.KV.getByName("wildcards").wildcardPrefixes(),
  "kv structured-clone round trips": (env) => env.KV.getByName("clone").roundTrips(),
  "kv writes without await": (env) => env.KV.getByName("unawaited").unawaitedWrites(),
  "kv values are copies": (env) => env.KV.getByName("copies").copies(),
  "kv synchronous API (storage.kv)": (env) => env.KV.getByName("sync").syncKv(),
  "kv uncloneable values": (env) => env.KV.getByName("uncloneable").uncloneable(),
  "kv key and value size limits": (env) => env.KV.getByName("sizes").sizeLimits(),
  "kv deleteAll": (env) => env.KV.getByName("deleteall").deleteAll(),
  "kv transaction(async)": (env) => env.KV.getByName("txn").transactions(),
  "kv transaction: a write after rollback()": (env) => env.KV.getByName("write after rollback").writeAfterRollback(),
  "kv transaction: two started together": (env) => env.KV.getByName("parallel txns").parallelTransactions(),
  "kv transaction: two started a turn apart": (env) => env.KV.getByName("turn apart").transactionsATurnApart(),
  "kv transaction: rollback() twice": (env) => env.KV.getByName("rollback twice").rollbackTwice(),
  "kv transaction: transactionSync inside": (env) =>
    env.KV.getByName("sync in async").transactionSyncInsideTransaction(),
  "kv DDL rolls back with transactionSync": (env) => env.KV.getByName("ddl").ddlRollback(),
  "input gate keeps read-modify-write atomic": async (env) => {
    const stub = env.KV.getByName("gate");
    const results = await Promise.all(Array.from({ length: 10 }, () => stub.increment()));
    return { sorted: [...results].sort((a, b) => a - b), final: await stub.increment() };
  },
};
