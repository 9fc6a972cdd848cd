import { encode, outcome } from "../encode";
import { HEX64, type Scenario } from "./helpers";

/** Durable Object ids: names, unique ids, parsing. */
export const idScenarios: Record<string, Scenario> = {
  "ids from names": async (env) => {
    const a = env.RPC.idFromName("alpha");
    const a2 = env.RPC.idFromName("alpha");
    const b = env.RPC.idFromName("beta");
    const inside = await env.RPC.get(a).whoAmI();
    const roundTrip = env.RPC.idFromString(a.toString());
    return encode({
      hex64: HEX64.test(a.toString()),
      deterministic: a.toString() === a2.toString(),
      equals: a.equals(a2),
      differs: !a.equals(b) && a.toString() !== b.toString(),
      name: a.name,
      inside: { sameId: (inside as { id: string }).id === a.toString(), name: (inside as { name: unknown }).name },
      roundTripEquals: roundTrip.equals(a),
      roundTripName: roundTrip.name ?? null,
      otherNamespaceDiffers: env.SQL.idFromName("alpha").toString() !== a.toString(),
      emptyName: await outcome(() => HEX64.test(env.RPC.idFromName("").toString())),
      longName: await outcome(() => HEX64.test(env.RPC.idFromName("n".repeat(10_000)).toString())),
      unnormalized: env.RPC.idFromName("é").toString() !== env.RPC.idFromName("e\u0301").toString(),
      caseSensitive: env.RPC.idFromName("Alpha").toString() !== a.toString(),
      stubId: env.RPC.get(a).id.equals(a),
      stubName: env.RPC.get(a).name ?? null,
      byNameStubId: env.RPC.getByName("alpha").id.equals(a),
    });
  },
  "ids unique": async (env) => {
    const ids = Array.from({ length: 20 }, () => env.RPC.newUniqueId());
    const strings = new Set(ids.map((id) => id.toString()));
    const first = ids[0]!;
    const inside = await env.RPC.get(first).whoAmI();
    return encode({
      allHex64: ids.every((id) => HEX64.test(id.toString())),
      unique: strings.size === ids.length,
      name: first.name ?? null,
      insideSameId: (inside as { id: string }).id === first.toString(),
      roundTrip: env.RPC.idFromString(first.toString()).equals(first),
    });
  },
  "stub options are accepted": async (env) => {
    const id = env.RPC.idFromName("hinted");
    return {
      getWithHint: await outcome(() => env.RPC.get(id, { locationHint: "wnam" }).count()),
      getByNameWithHint: await outcome(() => env.RPC.getByName("hinted", { locationHint: "weur" }).count()),
      unknownHint: await outcome(() => env.RPC.get(id, { locationHint: "nowhere" as never }).count()),
    };
  },
  "ids from bad strings": async (env) => {
    const valid = env.RPC.idFromName("valid").toString();
    const parse = (s: unknown) => outcome(() => env.RPC.idFromString(s as string).toString() === valid);
    return {
      empty: await parse(""),
      tooShort: await parse("abc"),
      nonHex: await parse("z".repeat(64)),
      length63: await parse(valid.slice(0, 63)),
      length65: await parse(`${valid}0`),
      uppercase: await parse(valid.toUpperCase()),
      allZeros: await parse("0".repeat(64)),
      flippedLastDigit: await parse(valid.slice(0, 63) + (valid.endsWith("0") ? "1" : "0")),
      otherNamespace: await parse(env.SQL.idFromName("valid").toString()),
      nonString: await parse(42),
      valid: await parse(valid),
    };
  },
};
