/**
 * workerd's `IdentityTransformStream` and `FixedLengthStream` (FixedLengthStream's length errors
 * included): the cases of identity-streams/probe.ts run on workerd (miniflare) and on the shim's
 * globals in Node, Bun, Deno and edge-runtime, and must agree.
 */
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundle, evaluateOnEdge, runScriptOn } from "./runtimes";

const here = fileURLToPath(new URL("./identity-streams/", import.meta.url));
const globals = fileURLToPath(new URL("../../src/runtime/globals.ts", import.meta.url));

interface Observed {
  cases: Record<string, unknown>;
  native: boolean;
}

const observe = `import { nativeFixedLengthStream, observe } from "./probe";
export const run = async (): Promise<string> => JSON.stringify({ cases: await observe(), native: nativeFixedLengthStream() });`;

/** The shim's globals installed before the probe runs (its cases read them when called). */
const onShim = `import { installWorkerdGlobals } from ${JSON.stringify(globals)};
${observe}
installWorkerdGlobals();`;

let miniflare: Miniflare | undefined;

async function onWorkerd(): Promise<Observed> {
  const script = await bundle({ contents: `${observe}\nexport default { fetch: async () => new Response(await run()) };`, resolveDir: here });
  miniflare = new Miniflare({ modules: true, script, compatibilityDate: "2025-09-01" });
  const response = await miniflare.dispatchFetch("http://probe/");
  return JSON.parse(await response.text()) as Observed;
}

const inProcess = (runtime: "node" | "bun" | "deno") => async (): Promise<Observed> =>
  JSON.parse(await runScriptOn(runtime, { contents: `${onShim}\nconsole.log(await run());`, resolveDir: here })) as Observed;

const RUNS = {
  node: inProcess("node"),
  bun: inProcess("bun"),
  deno: inProcess("deno"),
  edge: async (): Promise<Observed> => JSON.parse(await evaluateOnEdge({ contents: onShim, resolveDir: here }, "ConformanceSuite.run()")) as Observed,
};

const runs = new Map<string, Promise<Observed>>();

beforeAll(() => {
  runs.set("workerd", onWorkerd());
  for (const [runtime, run] of Object.entries(RUNS)) runs.set(runtime, run());
});

afterAll(async () => {
  await miniflare?.dispose();
});

describe("IdentityTransformStream and FixedLengthStream", () => {
  it("are workerd's own, native classes on workerd", async () => {
    const workerd = await runs.get("workerd")!;
    expect(workerd.native).toBe(true);
    expect(Object.keys(workerd.cases).length).toBeGreaterThan(10);
  });

  for (const runtime of Object.keys(RUNS)) {
    it(`behave on the shim in ${runtime} as on workerd, as JavaScript classes`, async () => {
      const [workerd, shim] = await Promise.all([runs.get("workerd")!, runs.get(runtime)!]);
      expect(shim.cases).toEqual(workerd.cases);
      // What storage code tells workerd's class by (src/runtime/storage/body.ts).
      expect(shim.native).toBe(false);
    });
  }
});
