/**
 * workerd's own Durable Object tests, ported unchanged (see suites.ts): every test runs on
 * workerd (miniflare) and on the shim in Node (also suspending every idle connection), Bun,
 * Deno and edge-runtime, and must pass everywhere. Tests the shim cannot pass for a platform
 * reason are marked `it.fails` below and listed in docs/compat.md.
 */
import * as hostAssert from "node:assert";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundle, evaluateOnEdge, runScriptOn, type Platform } from "../runtimes";
import { testNames, type TestOutcome } from "./glue";
import { runSuitesOnShim, runTests, type PortedModules, type SuiteResults } from "./run-suites";
import { COMPATIBILITY_DATE, SUITES } from "./suites";

const here = fileURLToPath(new URL(".", import.meta.url));
const FILES = [...new Set(SUITES.map((suite) => suite.file))];
const modules: PortedModules = Object.fromEntries(
  await Promise.all(FILES.map(async (file) => [file, (await import(`./${file}`)) as Record<string, unknown>] as const)),
);

type Runtime = "node" | "node, suspending" | Platform;
const SHIM_RUNTIMES = ["node", "node, suspending", "bun", "deno", "edge"] as const satisfies readonly Runtime[];

/**
 * Tests that need workerd's test-only hooks, or features workerd only has with its
 * `experimental` flag (which miniflare cannot set): not run anywhere.
 */
const EXCLUDED: Readonly<Record<string, Readonly<Record<string, string>>>> = {};

/** Tests the shim fails for a platform reason, per runtime: each is in docs/compat.md. */
const KNOWN_GAPS: Readonly<Record<Runtime, ReadonlySet<string>>> = {
  node: new Set(),
  "node, suspending": new Set(),
  bun: new Set(),
  deno: new Set(),
  edge: new Set(),
};

/** Imports of every ported module, as `modules` in the bundle. */
const modulesSource = [
  ...FILES.map((file, i) => `import * as m${i} from "./${file}";`),
  `import { runSuitesOnShim } from "./run-suites";`,
  `const modules = { ${FILES.map((file, i) => `${JSON.stringify(file)}: m${i}`).join(", ")} };`,
].join("\n");

const PLATFORM_RUNNER = `${modulesSource}
import { readFile } from "node:fs/promises";
declare const SQL_WASM_PATH: string;
console.log(JSON.stringify(await runSuitesOnShim(modules, { sqlWasm: await readFile(SQL_WASM_PATH) })));`;

const EDGE_SUITE = `${modulesSource}
export const run = (sqlWasm: Uint8Array) => runSuitesOnShim(modules, { sqlWasm }).then(JSON.stringify);`;

/** Every suite as one worker of one miniflare, configured from its `.wd-test`. */
async function runOnWorkerd(): Promise<SuiteResults> {
  const workers = await Promise.all(
    SUITES.map(async (suite, i) => ({
      name: `suite-${i}`,
      modules: true,
      script: await bundle({
        contents: `export * from "./${suite.file}";\nimport * as tests from "./${suite.file}";\nimport { testRunner } from "./glue";\nexport default testRunner(tests);\n`,
        resolveDir: here,
      }),
      compatibilityDate: COMPATIBILITY_DATE,
      compatibilityFlags: [...suite.compatibilityFlags],
      bindings: { ...suite.bindings },
      durableObjects: Object.fromEntries(
        Object.entries(suite.durableObjects).map(([binding, { className, sql }]) => [binding, { className, useSQLite: sql }]),
      ),
    })),
  );
  const mf = new Miniflare({ workers });
  miniflare = mf;
  const results = await Promise.all(
    SUITES.map(async (suite, i) => {
      const worker = await mf.getWorker(`suite-${i}`);
      const get = async (path: string) => {
        const response = await worker.fetch(`http://workerd-tests${path}`);
        return new Response(await response.arrayBuffer(), { status: response.status });
      };
      return [suite.name, await runTests(get)] as const;
    }),
  );
  return Object.fromEntries(results);
}

let miniflare: Miniflare | undefined;
const runs = new Map<"workerd" | Runtime, Promise<SuiteResults>>();

beforeAll(() => {
  runs.set("workerd", runOnWorkerd());
  runs.set("node", runSuitesOnShim(modules));
  runs.set("node, suspending", runSuitesOnShim(modules, { suspendAfterMs: 0 }));
  for (const platform of ["bun", "deno"] as const) {
    runs.set(platform, runScriptOn(platform, { contents: PLATFORM_RUNNER, resolveDir: here }).then((json) => JSON.parse(json) as SuiteResults));
  }
  const edge = evaluateOnEdge({ contents: EDGE_SUITE, resolveDir: here }, "ConformanceSuite.run(globalThis.__sqlWasm)", {
    alias: { "node:assert": `${here}host-assert.ts` },
    context: { __hostAssert: hostAssert },
  });
  runs.set("edge", edge.then((json) => JSON.parse(json) as SuiteResults));
  for (const run of runs.values()) run.catch(() => {}); // reported by the tests that await it
});

afterAll(async () => {
  await Promise.allSettled(runs.values());
  await miniflare?.dispose();
});

async function outcome(runtime: "workerd" | Runtime, suite: string, test: string): Promise<TestOutcome | undefined> {
  return (await runs.get(runtime)!)[suite]?.[test];
}

const PASSED: TestOutcome = { passed: true };

for (const suite of SUITES) {
  const excluded = EXCLUDED[suite.name] ?? {};
  const names = testNames(modules[suite.file]!).filter((name) => !(name in excluded));
  describe(suite.name, () => {
    for (const name of names) {
      it(`${name} passes on workerd`, async () => {
        expect(await outcome("workerd", suite.name, name)).toEqual(PASSED);
      });
      for (const runtime of SHIM_RUNTIMES) {
        const test = KNOWN_GAPS[runtime].has(`${suite.name} > ${name}`) ? it.fails : it;
        test(`${name} passes on the shim in ${runtime}`, async () => {
          expect(await outcome(runtime, suite.name, name)).toEqual(PASSED);
        });
      }
    }
  });
}
