import { type AppCase, scrubbers } from "../case";
import type { Client } from "../visit";

const ROOM = "/api/room/lobby/websocket";

/** The app's rate limiter refuses a message sent before its previous check has come back; a person would send it again. */
const rateLimited = (message: string) => message.includes("rate-limited");

async function say(client: Client, message: string): Promise<void> {
  for (;;) {
    client.send(JSON.stringify({ message }));
    if (!rateLimited(await client.next(rateLimited))) return;
    await new Promise((done) => setTimeout(done, 250));
  }
}

async function join(t: Parameters<AppCase["before"]>[0], name: string): Promise<Client> {
  const client = await t.ws(ROOM, { as: name });
  client.send(JSON.stringify({ name }));
  await client.nextUntil((message) => message.includes('"ready"'));
  return client;
}

/**
 * cloudflare/workers-chat-demo: the page imported through a `Data` module rule, rooms by name and
 * by unique id, hibernatable WebSockets with attachments, a backlog in KV storage, and a rate
 * limiter object called from each session.
 */
export const workersChatDemo: AppCase = {
  name: "workers-chat-demo",
  scrub: (text) => scrubbers.hexId(text.replace(/"timestamp":\d+/g, '"timestamp":"<t>"')),
  async before(t) {
    await t.http("/");
    await t.http("/nowhere");
    await t.http("/api/room", { method: "POST" });
    await t.http("/api/room");
    await t.http(`/api/room/${"x".repeat(40)}/websocket`);
    await t.http(ROOM);
    const alice = await join(t, "alice");
    await say(alice, "hi");
    const bob = await join(t, "bob");
    await alice.next();
    await say(bob, "hello");
    await alice.next();
    alice.close();
    await bob.next();
    bob.close();
  },
  async after(t) {
    const carol = await join(t, "carol");
    carol.close();
  },
};
