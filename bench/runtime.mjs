#!/usr/bin/env node
/**
 * Runtime benchmark: the same DO class (bench/runtime.worker.ts) on workerd (miniflare) and
 * on the dotdo shim, side by side, plus the memory of 1,000 idle shim instances.
 *
 *   node --expose-gc bench/runtime.mjs
 *
 * Per-operation cost is measured from outside the Worker: a request doing N operations
 * minus a request doing 0 (same call path), divided by N; medians over several rounds.
 * Timing inside workerd is not used: its clocks only advance on I/O.
 */
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { spawnSync } from "node:child_process";
import { mkdir, rm } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { bundleForWorkerd } from "./workerd.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const workerEntry = `${root}bench/runtime.worker.ts`;
const cacheDir = `${root}node_modules/.cache/dotdo-bench`;
const BINDINGS = { BENCH: "BenchObject" };

/** Operation → iterations per timed request. */
const OPS = {
  "sql insert": 10000,
  "sql select": 10000,
  "kv get": 5000,
  "kv put": 5000,
  "stub fetch": 1000,
  "rpc call": 2000,
};
const ROUNDS = 15;
const IDLE_INSTANCES = 1000;
/** How the 1,000 objects are kept, and how long after the last use memory is read. */
const MEMORY_MODES = {
  default: { label: "default options (connections closed after 10 s idle), read 11 s after", options: {}, settleMs: 11_000 },
  suspend: { label: "`suspendAfterMs: 50` (instances kept, connections closed)", options: { suspendAfterMs: 50 }, settleMs: 300 },
  evict: { label: "`evictAfterMs: 50` (instances evicted, images kept)", options: { evictAfterMs: 50 }, settleMs: 300 },
};

if (typeof globalThis.gc !== "function") {
  console.error("Run with --expose-gc: node --expose-gc bench/runtime.mjs");
  process.exit(1);
}

async function startWorkerd() {
  const mf = new Miniflare({
    modules: true,
    script: await bundleForWorkerd(workerEntry),
    compatibilityDate: "2025-09-01",
    durableObjects: Object.fromEntries(
      Object.entries(BINDINGS).map(([binding, className]) => [binding, { className, useSQLite: true }]),
    ),
  });
  await mf.ready;
  return {
    label: "workerd",
    fetch: async (url) => {
      const response = await mf.dispatchFetch(url);
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`workerd answered ${response.status} for ${url}`);
    },
    dispose: () => mf.dispose(),
  };
}

/** Bundles the shim and the Worker for Node: `cloudflare:workers` becomes dotdo's runtime. */
async function loadShim() {
  await mkdir(cacheDir, { recursive: true });
  const outfile = `${cacheDir}/shim-${process.pid}.mjs`;
  await build({
    stdin: {
      contents: `export { createWorker } from "./src/runtime/worker";\nexport * as worker from "./bench/runtime.worker";`,
      resolveDir: root,
      loader: "ts",
    },
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node22",
    packages: "external",
    alias: { "cloudflare:workers": `${root}src/runtime/index.ts` },
    outfile,
    logLevel: "silent",
  });
  try {
    return await import(pathToFileURL(outfile).href);
  } finally {
    await rm(outfile, { force: true });
  }
}

async function startShim(shim) {
  const worker = await shim.createWorker(shim.worker, {
    durableObjects: Object.fromEntries(Object.entries(BINDINGS).map(([binding, className]) => [binding, { className }])),
  });
  return {
    label: "shim",
    fetch: async (url) => {
      const response = await worker.fetch(new Request(url));
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`shim answered ${response.status} for ${url}`);
    },
    dispose: () => worker.dispose(),
  };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

async function timed(fn) {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/**
 * Microseconds per operation on each runtime. Rounds alternate between the runtimes, so
 * that the load of a shared machine falls on both alike.
 */
async function measure(runtimes, op, n) {
  const url = (count) => `http://bench/op/${encodeURIComponent(op)}?n=${count}`;
  for (const runtime of runtimes) await runtime.fetch(url(Math.ceil(n / 4))); // warm up code paths and tables
  const samples = runtimes.map(() => ({ empty: [], full: [] }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, runtime] of runtimes.entries()) {
      samples[i].empty.push(await timed(() => runtime.fetch(url(0))));
      samples[i].full.push(await timed(() => runtime.fetch(url(n))));
    }
  }
  return samples.map(({ empty, full }) => (Math.max(0, median(full) - median(empty)) * 1000) / n);
}

function memory() {
  globalThis.gc();
  globalThis.gc();
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, external, arrayBuffers };
}

/**
 * Memory of IDLE_INSTANCES objects that each did some work, beyond the baseline of a
 * process with one object, read `settleMs` after the last one was used.
 * Runs in a child process per mode: the shared wasm heap never shrinks, so modes measured
 * one after the other in one process would hide each other's growth.
 */
async function idleMemory(shim, { options, settleMs }) {
  const worker = await shim.createWorker(shim.worker, {
    durableObjects: Object.fromEntries(Object.entries(BINDINGS).map(([binding, className]) => [binding, { className }])),
    ...options,
  });
  const touch = async (i) => {
    const response = await worker.fetch(new Request(`http://bench/op/touch?n=${i}`));
    if (!response.ok) throw new Error(`touch ${i} answered ${response.status}`);
  };
  await touch(-1);
  const settle = () => new Promise((resolve) => setTimeout(resolve, settleMs));
  await settle();
  const before = memory();
  const start = performance.now();
  for (let i = 0; i < IDLE_INSTANCES; i++) {
    await touch(i);
    // Each request of a server arrives as its own macrotask; without this the in-process
    // loop would run on microtasks alone and starve the shim's idle timers.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const touchMs = performance.now() - start;
  await settle();
  const after = memory();
  const live = Object.values(worker.objects).reduce((sum, registry) => sum + registry.liveIds.length, 0);
  await worker.dispose();
  return { live, touchMs, ...Object.fromEntries(Object.keys(before).map((k) => [k, after[k] - before[k]])) };
}

function memoryInChild(mode) {
  const result = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), "--memory-probe", mode], {
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`memory probe ${mode} failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const us = (value) => (value === undefined ? "—" : `${value.toFixed(1)} µs`);

const probe = process.argv.indexOf("--memory-probe");
if (probe !== -1) {
  const mode = process.argv[probe + 1];
  console.log(JSON.stringify(await idleMemory(await loadShim(), MEMORY_MODES[mode])));
  process.exit(0);
}

const memoryModes = Object.fromEntries(Object.keys(MEMORY_MODES).map((mode) => [mode, memoryInChild(mode)]));
const shim = await loadShim();
const runtimes = [await startWorkerd(), await startShim(shim)];
const rows = [];
try {
  for (const [op, n] of Object.entries(OPS)) {
    const [workerd, dotdo] = await measure(runtimes, op, n);
    rows.push({ op, n, workerd, shim: dotdo, ratio: dotdo / workerd });
  }
} finally {
  await Promise.all(runtimes.map((r) => r.dispose()));
}

console.log(`node ${process.version}, ${ROUNDS} rounds, medians; per operation (lower is better)\n`);
console.log("| operation | N per request | workerd (miniflare) | dotdo shim | shim / workerd |");
console.log("|---|---:|---:|---:|---:|");
for (const row of rows) {
  console.log(`| ${row.op} | ${row.n} | ${us(row.workerd)} | ${us(row.shim)} | ${row.ratio.toFixed(2)}× |`);
}
console.log(`\n${IDLE_INSTANCES} idle shim objects (each wrote one SQL row and one KV key), beyond the baseline after gc:\n`);
console.log("| objects | touching all took | instances live | rss | heapUsed | external (wasm heap) |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const [mode, m] of Object.entries(memoryModes)) {
  console.log(`| ${MEMORY_MODES[mode].label} | ${Math.round(m.touchMs)} ms | ${m.live} | +${mb(m.rss)} | +${mb(m.heapUsed)} | +${mb(m.external)} |`);
}
