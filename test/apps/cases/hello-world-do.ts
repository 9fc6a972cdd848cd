import type { AppCase } from "../case";

/** cloudflare/templates' Durable Objects starter: an RPC method that runs SQL, one object per path. */
export const helloWorldDo: AppCase = {
  name: "hello-world-do",
  async before(t) {
    await t.http("/");
    await t.http("/some/path");
  },
  async after(t) {
    await t.http("/some/path");
  },
};
