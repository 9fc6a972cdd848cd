import type { AppCase } from "../case";

const WORLD = "/parties/globe/world";
/** Where the visitors are: workerd gets it as request.cf, the shim from the proxy's geo headers. */
const SAO_PAULO = { latitude: "-23.5", longitude: "-46.6" };
const GEO_HEADERS = { "x-vercel-ip-latitude": SAO_PAULO.latitude, "x-vercel-ip-longitude": SAO_PAULO.longitude };

/**
 * cloudflare/templates' multiplayer globe: partyserver connection state and broadcasts, each
 * visitor placed by `request.cf.latitude` / `longitude`, static assets (no binding) with the
 * client bundled by the app's `build.command`.
 */
export const multiplayerGlobe: AppCase = {
  name: "multiplayer-globe",
  // Connection ids are random.
  scrub: (text) => text.replace(/"id":"[^"]+"/g, '"id":"<connection>"'),
  workerd: { cf: SAO_PAULO },
  async before(t) {
    await t.http("/");
    await t.http("/dist/index.js");
    await t.http("/normalize.css");
    await t.http("/nowhere");
    const alice = await t.ws(WORLD, { as: "alice", headers: GEO_HEADERS });
    await alice.next();
    const bob = await t.ws(WORLD, { as: "bob", headers: GEO_HEADERS });
    await bob.next();
    await bob.next();
    await alice.next();
    alice.close();
    await bob.next();
    bob.close();
  },
  async after(t) {
    const carol = await t.ws(WORLD, { as: "carol", headers: GEO_HEADERS });
    await carol.next();
    carol.close();
  },
};
