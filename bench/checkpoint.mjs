#!/usr/bin/env node
/**
 * Checkpoint and restore of a Durable Object running in the dotdo runtime, on the file store
 * and on S3, for 1k … 1M rows, each beside the floor (the raw SQLite file of the same state,
 * uploaded and downloaded on the same store), plus the bytes a checkpoint writes after one
 * changed row. Figures go to docs/benchmarks.md ("Persistence").
 *
 *   node bench/checkpoint.mjs [--max=1000000] [--only=file|s3|s3-20ms|s3-cloud] [--runs=3] [--json | --markdown]
 *
 * Each size runs in a child process of its own, so one size's garbage does not slow the
 * next; times are medians of `--runs` runs (1M rows: one run); bytes do not vary.
 * S3 is s3rver on 127.0.0.1 behind the test proxy that enforces conditional writes
 * (test/helpers/s3.ts), both outside the measuring process, reached through createStore as an
 * app would: no network latency, so S3's times here are a lower bound. `s3-20ms` is the same
 * server holding every request 20 ms, like a cloud store's time to first byte; `s3-cloud`
 * also paces each answer to 100 MB/s, about one connection's throughput from cloud S3.
 * Needs Node ≥ 22.18 (or 23.6): it imports that TypeScript helper directly (type stripping).
 */
import { build } from "esbuild";
import { fork } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startS3 } from "../test/helpers/s3.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).map((a) => [a.replace(/^--/, "").split("=")[0], a.split("=").slice(1).join("=") || "true"]));
const ROW_LEVEL_ROWS = 100_000;
/** The stores measured, and how the S3 ones reach their server. */
const NETWORKS = { file: null, s3: {}, "s3-20ms": { latencyMs: 20 }, "s3-cloud": { latencyMs: 20, bytesPerSecond: 100e6 } };

if (args.child) await child(JSON.parse(args.child));
else await parent();

/** Measures one size on one store, `runs` times, and sends the medians to the parent. */
async function child({ bundle, store: config, rows, runs, rowLevel }) {
  const bench = await import(pathToFileURL(bundle).href);
  const store = await bench.createStore(config);
  // Warm-up, not reported: a process's first checkpoint pays for compiling the code paths.
  await bench.measure(bench.withPrefix(store, `warm-up-${rows}`), 1_000);
  const all = [];
  for (let run = 0; run < runs; run++) all.push(await bench.measure(bench.withPrefix(store, `rows-${rows}-${run}`), rows));
  const median = (key) => all.map((f) => f[key]).sort((a, b) => a - b)[Math.floor(all.length / 2)];
  const figures = Object.fromEntries(Object.keys(all[0]).map((key) => [key, median(key)]));
  const rowLevelFigures = rowLevel ? await bench.measureRowLevel(bench.withPrefix(store, "row-level"), rows) : null;
  // Exit at once: the S3 client's idle keep-alive sockets would hold the process open.
  process.send({ figures, rowLevel: rowLevelFigures }, () => process.exit(0));
}

async function parent() {
  const max = Number(args.max ?? 1_000_000);
  const sizes = [1_000, 10_000, 100_000, 1_000_000].filter((n) => n <= max);
  const backends = args.only ? [args.only] : Object.keys(NETWORKS);
  const runs = Number(args.runs ?? 3);
  const cache = join(root, "node_modules/.cache/dotdo-bench");
  await mkdir(cache, { recursive: true });
  const bundle = join(cache, `checkpoint-${process.pid}.mjs`);
  const temp = await mkdtemp(join(tmpdir(), "dotdo-bench-checkpoint-"));
  const results = [];
  try {
    await build({
      entryPoints: [join(root, "bench/checkpoint.bench.ts")],
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node22",
      packages: "external",
      outfile: bundle,
      logLevel: "silent",
    });
    for (const backend of backends) {
      const { store, close } = await openStore(backend, temp);
      try {
        if (!args.json && !args.markdown) {
          console.log(`\n${backend} (times in ms, sizes in KiB)`);
          console.log("     rows | checkpoint      KiB | 1 row      KiB  of full | stop KiB | floor up    down      KiB | restore rounds ÷floor | after crash rounds ÷floor | packs");
        }
        for (const rows of sizes) {
          const { figures: f, rowLevel } = await runChild({ bundle, store, rows, runs: rows >= 1_000_000 ? 1 : runs, rowLevel: rows === ROW_LEVEL_ROWS });
          results.push({ backend, ...f, ...(rowLevel ? { rowLevel } : {}) });
          if (args.json || args.markdown) continue;
          console.log(
            `${String(rows).padStart(9)} | ${ms(f.checkpointMs)} ${kib(f.checkpointBytes)} | ${ms(f.oneRowMs)} ${kib(f.oneRowBytes)} ${pct(f.oneRowBytes, f.checkpointBytes)} | ${kib(f.stopBytes)} | ` +
              `${ms(f.floorUploadMs)} ${ms(f.floorDownloadMs)} ${kib(f.floorBytes)} | ` +
              `${ms(f.restoreMs)} ${String(f.restoreRounds).padStart(6)} ${ratio(f.restoreMs, f.floorDownloadMs)} | ` +
              `${ms(f.crashRestoreMs)} ${String(f.crashRestoreRounds).padStart(6)} ${ratio(f.crashRestoreMs, f.floorDownloadMs)} | ${ms(f.imageMs)}`,
          );
          if (rowLevel) {
            console.log(
              `          one row of ${rows} with row-level change tracking: ${kib(rowLevel.oneRowBytes).trim()} KiB of ${kib(rowLevel.fullBytes).trim()} KiB ` +
                `(${pct(rowLevel.oneRowBytes, rowLevel.fullBytes).trim()}), ${ms(rowLevel.oneRowMs).trim()} ms`,
            );
          }
        }
      } finally {
        await close();
      }
    }
  } finally {
    await rm(bundle, { force: true });
    await rm(temp, { recursive: true, force: true });
  }
  if (args.json) console.log(JSON.stringify(results, null, 2));
  if (args.markdown) console.log(markdown(results));
}

/** The figures as the tables in docs/benchmarks.md. */
function markdown(results) {
  const n = (v) => Math.round(v).toLocaleString("en-US");
  const t = (v) => (v < 10 ? v.toFixed(1) : n(v));
  const lines = [
    "| rows | store | checkpoint | KiB | 1 row | KiB | % of full | stop KiB |",
    "|---:|---|---:|---:|---:|---:|---:|---:|",
    ...results.map(
      (f) =>
        `| ${n(f.rows)} | ${f.backend} | ${t(f.checkpointMs)} | ${n(f.checkpointBytes / 1024)} | ${t(f.oneRowMs)} | ${n(f.oneRowBytes / 1024)} | ` +
        `${pct(f.oneRowBytes, f.checkpointBytes).trim()} | ${n(f.stopBytes / 1024)} |`,
    ),
    "",
    "| rows | store | floor up / down | floor KiB | restore | rounds | ÷ floor | after a crash | rounds | ÷ floor | packs alone |",
    "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...results.map(
      (f) =>
        `| ${n(f.rows)} | ${f.backend} | ${t(f.floorUploadMs)} / ${t(f.floorDownloadMs)} | ${n(f.floorBytes / 1024)} | ` +
        `${t(f.restoreMs)} | ${f.restoreRounds} | ${ratio(f.restoreMs, f.floorDownloadMs).trim()} | ` +
        `${t(f.crashRestoreMs)} | ${f.crashRestoreRounds} | ${ratio(f.crashRestoreMs, f.floorDownloadMs).trim()} | ${t(f.imageMs)} |`,
    ),
  ];
  for (const f of results.filter((r) => r.rowLevel)) {
    lines.push(
      "",
      `Row-level change tracking, ${n(f.rows)} rows on ${f.backend}: one changed row writes ${n(f.rowLevel.oneRowBytes / 1024)} KiB of ` +
        `${n(f.rowLevel.fullBytes / 1024)} KiB (${pct(f.rowLevel.oneRowBytes, f.rowLevel.fullBytes).trim()}) in ${t(f.rowLevel.oneRowMs)} ms.`,
    );
  }
  return lines.join("\n");
}

/** The store config a child opens: a folder, or the S3 server this process started. */
async function openStore(backend, temp) {
  if (backend === "file") return { store: { kind: "file", root: join(temp, "file") }, close: async () => {} };
  const s3 = await startS3("bench", NETWORKS[backend]);
  const store = {
    kind: "s3",
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    region: "auto",
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  };
  return { store, close: () => s3.close() };
}

async function runChild(job) {
  const worker = fork(fileURLToPath(import.meta.url), [`--child=${JSON.stringify(job)}`], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    execArgv: [...process.execArgv, "--expose-gc"],
  });
  const [message] = await Promise.race([
    once(worker, "message"),
    once(worker, "exit").then(([code]) => Promise.reject(new Error(`the measuring process exited with code ${code}`))),
  ]);
  await once(worker, "exit");
  return message;
}

function ms(v) {
  return (v < 10 ? v.toFixed(1) : v.toFixed(0)).padStart(7);
}

function kib(v) {
  return (v / 1024).toFixed(0).padStart(8);
}

function ratio(part, whole) {
  return `${(part / whole).toFixed(1)}×`.padStart(6);
}

function pct(part, whole) {
  return `${((100 * part) / whole).toFixed(1)}%`.padStart(7);
}
