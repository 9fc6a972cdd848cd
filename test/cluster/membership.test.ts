import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { Membership } from "../../src/runtime/cluster/membership";

const members = ["http://10.0.0.1:3000", "http://10.0.0.2:3000", "http://10.0.0.3:3000"];
const keys = Array.from({ length: 300 }, (_, n) => `Room/${n}`);
const never = () => Promise.resolve(true);

function view(self: string, peers: string[], probe: (address: string) => Promise<boolean> = never): Membership {
  return new Membership({ self, peers: () => Promise.resolve(peers), probe });
}

const servers: Server[] = [];
afterAll(() => servers.forEach((server) => server.close()));

describe("placement over the live replicas", () => {
  it("every replica picks the same owner for an object, and objects spread over all of them", async () => {
    const views = members.map((self) => view(self, members));
    const owners = await Promise.all(keys.map(async (key) => new Set(await Promise.all(views.map((v) => v.owner(key))))));
    expect(owners.every((agreed) => agreed.size === 1)).toBe(true);
    const counts = new Map<string, number>();
    for (const [owner] of owners) counts.set(owner!, (counts.get(owner!) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(members);
    for (const count of counts.values()) expect(count).toBeGreaterThan(50);
  });

  it("a replica leaving moves only its own objects; a suspected one is left out until it is due again", async () => {
    let now = 0;
    const full = view(members[0]!, members);
    const shrunk = view(members[0]!, members.slice(0, 2));
    let moved = 0;
    for (const key of keys) {
      const before = await full.owner(key);
      const after = await shrunk.owner(key);
      if (before !== after) {
        moved++;
        expect(before).toBe(members[2]);
      }
    }
    expect(moved).toBeGreaterThan(0);
    const suspecting = new Membership({ self: members[0]!, peers: () => Promise.resolve(members), probe: never, suspectMs: 1_000, now: () => now });
    suspecting.suspect(members[2]!);
    for (const key of keys) expect(await suspecting.owner(key)).not.toBe(members[2]);
    now = 1_001;
    expect(new Set(await Promise.all(keys.map((key) => suspecting.owner(key)))).has(members[2]!)).toBe(true);
  });

  it("a holder is gone when it does not answer its health probe (a real server, then none)", async () => {
    const server = createServer((_, res) => res.end("ok"));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    let now = 0;
    const probe = async (url: string) => (await fetch(url)).ok;
    const membership = new Membership({ self: members[0]!, peers: () => Promise.resolve([address]), probe, now: () => now });
    expect(await membership.gone(address)).toBe(false);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    expect(await membership.gone(address)).toBe(false); // the answer is reused for a second
    now = 1_500;
    expect(await membership.gone(address)).toBe(true);
    expect(await membership.owner("Room/1")).toBe(members[0]); // and it is out of placement
  });
});
