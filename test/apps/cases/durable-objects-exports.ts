import type { AppCase } from "../case";

/**
 * workers-sdk's fixture for Durable Objects declared in wrangler's `exports` field: SQL counters
 * behind RPC, two reached through bindings and one (CounterC) through `ctx.exports` alone.
 */
export const durableObjectsExports: AppCase = {
  name: "durable-objects-exports",
  async before(t) {
    await t.http("/a");
    await t.http("/a/increment");
    await t.http("/a/increment");
    await t.http("/b/increment");
    await t.http("/b?instance=other");
    await t.http("/c/increment");
    await t.http("/a/sqlite-check");
    await t.http("/x");
    await t.http("/a/nope");
  },
  async after(t) {
    await t.http("/a");
    await t.http("/b");
    await t.http("/c");
  },
};
