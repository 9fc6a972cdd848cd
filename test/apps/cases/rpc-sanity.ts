import type { AppCase } from "../case";

/** partyserver's RPC fixture: `getServerByName` then an RPC method that reads the server's name, and `onRequest` through `stub.fetch`. */
export const rpcSanity: AppCase = {
  name: "rpc-sanity",
  async before(t) {
    await t.http("/rpc");
    await t.http("/test");
    await t.http("/test", { method: "POST", body: "payload" });
  },
  async after(t) {
    await t.http("/rpc");
    await t.http("/test");
  },
};
