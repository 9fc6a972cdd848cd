/**
 * Starts the conformance Worker on each runtime behind one interface, so a test can send the
 * same request to workerd and to the shim; and runs the whole suite on the shim inside Bun
 * and Deno (separate processes) and edge-runtime (Vercel Edge's local emulator).
 */
import { EdgeRuntime } from "edge-runtime";
import { build, type BuildOptions } from "esbuild";
import { Miniflare } from "miniflare";
import { spawn } from "node:child_process";
import { mkdir, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { createWorker, type CreateWorkerOptions, type WorkerModule } from "../../src/runtime/worker";
import type { PlatformRun, RunningWorker } from "./run-scenario";
import { DURABLE_OBJECTS, VARS } from "./worker/env";

export { ID_NAMES, idsOf, runScenario, type PlatformRun, type RunningWorker } from "./run-scenario";

export type DurableObjectBindings = Record<string, string>;

export interface WorkerSource {
  /** Path of the Worker entry module (TypeScript is fine). */
  entry: string;
  durableObjects: DurableObjectBindings;
  vars?: Record<string, string>;
}

export const CONFORMANCE_WORKER: WorkerSource = {
  entry: fileURLToPath(new URL("./worker/index.ts", import.meta.url)),
  durableObjects: DURABLE_OBJECTS,
  vars: VARS,
};

/** An entry module to bundle: a file, or source text resolved from a directory. */
export type EntrySource = string | { contents: string; resolveDir: string };

function entryOptions(entry: EntrySource): Pick<BuildOptions, "entryPoints" | "stdin"> {
  return typeof entry === "string" ? { entryPoints: [entry] } : { stdin: { ...entry, loader: "ts" } };
}

/** Bundles the entry the way a user's Worker is deployed: ESM, `cloudflare:*` and `node:*` left to the runtime. */
export async function bundle(entry: EntrySource): Promise<string> {
  const result = await build({
    ...entryOptions(entry),
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    external: ["cloudflare:*", "node:*"],
    write: false,
    logLevel: "silent",
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error(`esbuild produced no output for ${JSON.stringify(entry)}`);
  return file.text;
}

export async function startWorkerd(source: WorkerSource): Promise<RunningWorker> {
  const script = await bundle(source.entry);
  const mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: "2025-09-01",
    bindings: source.vars ?? {},
    durableObjects: Object.fromEntries(
      Object.entries(source.durableObjects).map(([binding, className]) => [binding, { className, useSQLite: true }]),
    ),
  });
  await mf.ready;
  return {
    label: "workerd",
    // miniflare has its own undici Request/Response types: cross over by value.
    async fetch(request) {
      const response = await mf.dispatchFetch(request.url, {
        method: request.method,
        headers: Object.fromEntries(request.headers),
        body: request.body ? await request.arrayBuffer() : undefined,
      });
      return new Response(await response.arrayBuffer(), {
        status: response.status,
        headers: Object.fromEntries(response.headers),
      });
    },
    dispose: () => mf.dispose(),
  };
}

/** The shim in this process also shows its `env`, for checks that need the bindings. */
export interface ShimWorker extends RunningWorker {
  readonly env: Record<string, unknown>;
}

type ShimTuning = Pick<CreateWorkerOptions, "suspendAfterMs" | "evictAfterMs">;

export async function startShim(source: WorkerSource, tuning: ShimTuning = {}): Promise<ShimWorker> {
  const mod = (await import(/* @vite-ignore */ source.entry)) as WorkerModule;
  const worker = await createWorker(mod, {
    durableObjects: Object.fromEntries(
      Object.entries(source.durableObjects).map(([binding, className]) => [binding, { className }]),
    ),
    vars: source.vars,
    ...tuning,
  });
  return {
    label: `shim on node ${JSON.stringify(tuning)}`,
    env: worker.env,
    fetch: (request) => worker.fetch(request),
    dispose: async () => {
      await worker.dispose();
    },
  };
}

export type Platform = "bun" | "deno" | "edge";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const sqlWasmPath = createRequire(import.meta.url).resolve("sql.js/dist/sql-wasm.wasm");

/** Runs the whole suite on the shim in another runtime. */
export function runOnPlatform(platform: Platform): Promise<PlatformRun> {
  const runner = fileURLToPath(new URL("./platform-runner.ts", import.meta.url));
  const suite = fileURLToPath(new URL("./platform-suite.ts", import.meta.url));
  const run =
    platform === "edge"
      ? evaluateOnEdge(suite, "ConformanceSuite.runSuite(globalThis.__sqlWasm).then(JSON.stringify)")
      : runScriptOn(platform, runner);
  return run.then((json) => JSON.parse(json) as PlatformRun);
}

/** A runtime that runs a script in its own process. */
export type ScriptRuntime = "node" | "bun" | "deno";

const PLATFORM_COMMANDS: Record<ScriptRuntime, (script: string) => string[]> = {
  node: (script) => [process.execPath, script],
  bun: (script) => [`${repoRoot}node_modules/.bin/bun`, "run", script],
  deno: (script) => [`${repoRoot}node_modules/.bin/deno`, "run", "--no-lock", "--allow-read", "--allow-env", script],
};

/**
 * Runs a script on the shim in its own Node, Bun or Deno process and answers what it printed: bundles `entry`
 * with `cloudflare:workers` as dotdo's runtime (packages stay imports, resolved from
 * node_modules, so the bundle is written there); `SQL_WASM_PATH` names the sql.js wasm.
 */
export async function runScriptOn(platform: ScriptRuntime, entry: EntrySource): Promise<string> {
  const dir = `${repoRoot}node_modules/.cache/dotdo-conformance`;
  const script = `${dir}/${platform}-${process.pid}-${++scripts}.mjs`;
  await mkdir(dir, { recursive: true });
  await build({
    ...entryOptions(entry),
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    packages: "external",
    external: ["node:*"],
    alias: { "cloudflare:workers": `${repoRoot}src/runtime/index.ts` },
    define: { SQL_WASM_PATH: JSON.stringify(sqlWasmPath) },
    outfile: script,
    logLevel: "silent",
  });
  try {
    const [command, ...args] = PLATFORM_COMMANDS[platform](script);
    return await run(command!, args);
  } finally {
    await rm(script, { force: true });
  }
}
let scripts = 0;

/** What an edge bundle may read from the host (Node) through its context. */
export interface EdgeHost {
  /** Module specifier → file bundled in its place (e.g. one reading a host value from `context`). */
  alias?: Record<string, string>;
  context?: Record<string, unknown>;
}

/**
 * edge-runtime evaluates scripts, not modules: `entry` is bundled whole (sql.js by its browser
 * build) as a script whose exports are the global `ConformanceSuite`, and given the wasm
 * bytes as `__sqlWasm`; `expression` (a promise of a string) is evaluated and answered.
 */
export async function evaluateOnEdge(entry: EntrySource, expression: string, host: EdgeHost = {}): Promise<string> {
  const bundle = await build({
    ...entryOptions(entry),
    bundle: true,
    format: "iife",
    globalName: "ConformanceSuite",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    alias: { "cloudflare:workers": `${repoRoot}src/runtime/index.ts`, ...host.alias },
    write: false,
    logLevel: "silent",
  });
  const script = bundle.outputFiles[0]?.text;
  if (!script) throw new Error("esbuild produced no edge bundle");
  const edge = new EdgeRuntime();
  Object.assign(edge.context, host.context);
  edge.evaluate(script);
  edge.context.__sqlWasm = new Uint8Array(await readFile(sqlWasmPath));
  // JSON across the boundary: values made in the VM's realm would not compare as plain here.
  return edge.evaluate<Promise<string>>(expression);
}

/** Runs a command to completion (bounded), answering its stdout; fails with its stderr. */
function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], timeout: 50_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} exited with ${code ?? signal}: ${stderr.slice(-2000)}`));
    });
  });
}
