import type { AppCase } from "../case";

const ROOM = "/parties/chat/general";
const add = (id: string, user: string, content: string) => JSON.stringify({ type: "add", id, content, user, role: "user" });

/**
 * cloudflare/templates' durable chat: partyserver with hibernation, messages in SQL, the client
 * bundled by the app's `build.command` into its static assets, served through the ASSETS binding
 * as a single-page application.
 */
export const durableChat: AppCase = {
  name: "durable-chat",
  async before(t) {
    await t.http("/");
    await t.http("/dist/index.js");
    await t.http("/styles.css");
    await t.http("/general");
    const alice = await t.ws(ROOM, { as: "alice" });
    await alice.next();
    alice.send(add("m1", "Alice", "hi"));
    await alice.next();
    const bob = await t.ws(ROOM, { as: "bob" });
    await bob.next();
    bob.send(JSON.stringify({ type: "update", id: "m1", content: "hi (edited)", user: "Alice", role: "user" }));
    await alice.next();
    await bob.next();
    bob.send(add("m2", "Bob", "hello"));
    await alice.next();
    await bob.next();
    // The app broadcasts before it writes, so those frames do not prove m2 is stored; a new
    // connection's greeting leaves only once the write is durable (the output gate), on workerd too.
    const dave = await t.ws(ROOM, { as: "dave" });
    await dave.next();
    alice.close();
    bob.close();
    dave.close();
  },
  async after(t) {
    const carol = await t.ws(ROOM, { as: "carol" });
    await carol.next();
    carol.close();
    await t.http("/parties/chat/other");
  },
};
