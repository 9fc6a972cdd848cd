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
import { bundle, evaluateOnEdge, runScriptOn, type Platform, type ScriptRuntime } from "../runtimes";
import { testNames, type TestOutcome } from "./glue";
import { runTests, type PortedModules, type ShimTuning, type SuiteResults } from "./run-suites";
import { COMPATIBILITY_DATE, SUITES } from "./suites";

const here = fileURLToPath(new URL(".", import.meta.url));
const FILES = [...new Set(SUITES.map((suite) => suite.file))];
const modules: PortedModules = Object.fromEntries(
  await Promise.all(FILES.map(async (file) => [file, (await import(`./${file}`)) as Record<string, unknown>] as const)),
);

type Runtime = "node" | "node, suspending" | Platform;
const SHIM_RUNTIMES = ["node", "node, suspending", "bun", "deno", "edge"] as const satisfies readonly Runtime[];

const MAX_PAGE_COUNT_HOOK = "fills the database through `sql.setMaxPageCountForTest()`, a hook only workerd's test build has";

/** Tests that need workerd's test-only hooks, by suite: run nowhere. */
const EXCLUDED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "sql-test": {
    testAutoRollBackOnCriticalError: MAX_PAGE_COUNT_HOOK,
    testCriticalErrorOnTransactionSyncRollback: MAX_PAGE_COUNT_HOOK,
    testCriticalErrorOnTransactionSyncCommit: MAX_PAGE_COUNT_HOOK,
    testCriticalErrorOnTransactionRollback: MAX_PAGE_COUNT_HOOK,
  },
  "js-rpc-test": {
    namedServiceBinding: "reaches methods through `getRpcMethodForTestOnly()`, a hook only workerd's test build has",
  },
};

/**
 * Tests the shim does not pass, as `suite > test`: each is a row of docs/compat.md,
 * "Known gaps", which gives the reason. Marked `it.fails`, so a fix turns them red.
 */
const EVERY_ENGINE_GAPS = [
  "sql-test > default",
  "sql-restrict-names-test > default",
  "js-rpc-test > serializeHttpTypes",
];
/** What needs to know which request code runs for: edge-runtime's sandbox has no async context. */
const NO_ASYNC_CONTEXT = [
  "js-rpc-test > crossContextSharingDoesntWork",
  "io-context-test > stubKeptForALaterRequest",
  "io-context-test > rpcPromiseKeptForALaterRequest",
  "io-context-test > durableObjectStubKeptForALaterRequest",
  "io-context-test > anotherDurableObjectIsRefused",
  "io-context-test > stubsGivenToADurableObject",
];
const KNOWN_GAPS: Readonly<Record<Runtime, ReadonlySet<string>>> = {
  node: new Set(EVERY_ENGINE_GAPS),
  "node, suspending": new Set(EVERY_ENGINE_GAPS),
  bun: new Set([...EVERY_ENGINE_GAPS, "js-rpc-test > serializeBlob", "js-rpc-test > testAsyncStackTrace"]),
  deno: new Set(EVERY_ENGINE_GAPS),
  edge: new Set([...EVERY_ENGINE_GAPS, "js-rpc-test > proxiedRpcTarget", ...NO_ASYNC_CONTEXT]),
};

/** Imports of every ported module, as `modules` in the bundle. */
const modulesSource = [
  ...FILES.map((file, i) => `import * as m${i} from "./${file}";`),
  `import { runSuitesOnShim } from "./run-suites";`,
  `const modules = { ${FILES.map((file, i) => `${JSON.stringify(file)}: m${i}`).join(", ")} };`,
].join("\n");

/**
 * The suites run in a process of their own on every runtime: workerd logs a rejection
 * nothing handles and goes on (several tests leave one), where Node, Bun and Deno would
 * exit, and vitest would report it.
 */
const processRunner = (tuning: ShimTuning) => `${modulesSource}
import { readFile } from "node:fs/promises";
import process from "node:process";
process.on("unhandledRejection", () => {});
globalThis.addEventListener?.("unhandledrejection", (event: Event) => event.preventDefault());
declare const SQL_WASM_PATH: string;
const tuning = ${JSON.stringify(tuning)};
console.log(JSON.stringify(await runSuitesOnShim(modules, { ...tuning, sqlWasm: await readFile(SQL_WASM_PATH) })));`;

const EDGE_SUITE = `${modulesSource}
globalThis.addEventListener("unhandledrejection", () => {});
export const run = (sqlWasm: Uint8Array) => runSuitesOnShim(modules, { sqlWasm }).then(JSON.stringify);`;

/** The results are the last line printed (tests log too, e.g. `js-rpc-test`'s `logging`). */
function runInProcess(runtime: ScriptRuntime, tuning: ShimTuning = {}): Promise<SuiteResults> {
  return runScriptOn(runtime, { contents: processRunner(tuning), resolveDir: here }).then((output) => JSON.parse(output.trim().split("\n").at(-1)!) as SuiteResults);
}

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
      serviceBindings: Object.fromEntries(
        Object.entries(suite.services ?? {}).map(([binding, entrypoint]) => [binding, { name: `suite-${i}`, ...(entrypoint !== "default" && { entrypoint }) }]),
      ),
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
  runs.set("node", runInProcess("node"));
  runs.set("node, suspending", runInProcess("node", { suspendAfterMs: 0 }));
  runs.set("bun", runInProcess("bun"));
  runs.set("deno", runInProcess("deno"));
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
