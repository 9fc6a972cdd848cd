#!/usr/bin/env node
/**
 * Checkpoint and restore of a Durable Object running in the dotdo runtime, on the file store
 * and on S3, for 1k … 1M rows, each beside the floor (the raw SQLite file of the same state,
 * uploaded and downloaded on the same store), plus the bytes a checkpoint writes after one
 * changed row. Figures go to docs/benchmarks.md ("Persistence").
 *
 *   node bench/checkpoint.mjs [--max=100000] [--only=file|s3] [--json]
 *
 * S3 is s3rver on 127.0.0.1 behind the test proxy that enforces conditional writes
 * (test/helpers/s3.ts), reached through createStore as an app would: no network latency, so
 * S3's figures here are a lower bound.
 */
import { build } from "esbuild";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startS3 } from "../test/helpers/s3.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).map((a) => [a.replace(/^--/, "").split("=")[0], a.split("=")[1] ?? "true"]));
const max = Number(args.max ?? 1_000_000);
const sizes = [1_000, 10_000, 100_000, 1_000_000].filter((n) => n <= max);
const backends = args.only ? [args.only] : ["file", "s3"];
const ROW_LEVEL_ROWS = 100_000;

async function load() {
  const dir = join(root, "node_modules/.cache/dotdo-bench");
  await mkdir(dir, { recursive: true });
  const outfile = join(dir, `checkpoint-${process.pid}.mjs`);
  await build({
    entryPoints: [join(root, "bench/checkpoint.bench.ts")],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node22",
    packages: "external",
    outfile,
    logLevel: "silent",
  });
  try {
    return await import(pathToFileURL(outfile).href);
  } finally {
    await rm(outfile, { force: true });
  }
}

async function openStore(bench, backend, temp) {
  if (backend === "file") return { store: await bench.createStore({ kind: "file", root: join(temp, "file") }), close: async () => {} };
  const s3 = await startS3("bench");
  const store = await bench.createStore({
    kind: "s3",
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    region: "auto",
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  return { store, close: () => s3.close() };
}

const ms = (v) => (v < 10 ? v.toFixed(1) : v.toFixed(0)).padStart(7);
const kib = (v) => (v / 1024).toFixed(0).padStart(8);
const pct = (part, whole) => `${((100 * part) / whole).toFixed(1)}%`.padStart(7);

const bench = await load();
const temp = await mkdtemp(join(tmpdir(), "dotdo-bench-checkpoint-"));
const results = [];
try {
  for (const backend of backends) {
    const { store, close } = await openStore(bench, backend, temp);
    try {
      if (!args.json) {
        console.log(`\n${backend} (times in ms, sizes in KiB)`);
        console.log("     rows | checkpoint      KiB | restore      KiB rounds | floor up   down      KiB | restore/floor | 1 row      KiB    of full");
      }
      // Warm-up, not reported: the first checkpoint of a process pays for compiling the code paths.
      await bench.measure(bench.withPrefix(store, "warm-up"), 1_000);
      for (const rows of sizes) {
        const f = await bench.measure(bench.withPrefix(store, `rows-${rows}`), rows);
        results.push({ backend, ...f });
        if (args.json) continue;
        console.log(
          `${String(rows).padStart(9)} | ${ms(f.checkpointMs)} ${kib(f.checkpointBytes)} | ${ms(f.restoreMs)} ${kib(f.restoreBytes)} ${String(f.restoreRounds).padStart(6)} | ` +
            `${ms(f.floorUploadMs)} ${ms(f.floorDownloadMs)} ${kib(f.floorBytes)} | ${(f.restoreMs / f.floorDownloadMs).toFixed(1).padStart(12)}× | ` +
            `${ms(f.oneRowMs)} ${kib(f.oneRowBytes)} ${pct(f.oneRowBytes, f.checkpointBytes)}`,
        );
      }
      if (sizes.includes(ROW_LEVEL_ROWS)) {
        const r = await bench.measureRowLevel(bench.withPrefix(store, "row-level"), ROW_LEVEL_ROWS);
        results.push({ backend, rowLevel: true, rows: ROW_LEVEL_ROWS, ...r });
        if (!args.json) {
          console.log(
            `  one row of ${ROW_LEVEL_ROWS} with row-level change tracking: ${kib(r.oneRowBytes)} KiB of ${kib(r.fullBytes)} KiB ` +
              `(${pct(r.oneRowBytes, r.fullBytes).trim()}), ${ms(r.oneRowMs).trim()} ms`,
          );
        }
      }
    } finally {
      await close();
    }
  }
} finally {
  await rm(temp, { recursive: true, force: true });
}
if (args.json) console.log(JSON.stringify(results, null, 2));
