#!/usr/bin/env node
/**
 * Persistence benchmark: checkpoint and restore time and bytes for 1k … 1M rows, on the file
 * store and on S3 (s3rver on 127.0.0.1), each next to the floor — uploading and downloading
 * the raw SQLite file of the same state — and the bytes a checkpoint writes after one
 * changed row.
 *
 *   node bench/persistence.mjs [--max=1000000] [--only=file|s3]
 */
import { build } from "esbuild";
import { fork } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const cacheDir = `${root}node_modules/.cache/dotdo-bench`;
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")));
const max = Number(args.max ?? 1_000_000);
const sizes = [1_000, 10_000, 100_000, 1_000_000].filter((n) => n <= max);
const backends = args.only ? [args.only] : ["file", "s3"];

async function load() {
  await mkdir(cacheDir, { recursive: true });
  const outfile = `${cacheDir}/persistence-${process.pid}.mjs`;
  await build({
    entryPoints: [`${root}bench/persistence.bench.ts`],
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

/** s3rver in its own process (it needs --openssl-legacy-provider), as the tests run it. */
async function startS3rver(directory) {
  const child = fork(`${root}test/helpers/s3rver-process.mjs`, [JSON.stringify({ directory, bucket: "bench" })], {
    execArgv: ["--openssl-legacy-provider"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const [{ port }] = await once(child, "message");
  return { endpoint: `http://127.0.0.1:${port}`, close: () => child.disconnect() };
}

const bench = await load();
const temp = await mkdtemp(join(tmpdir(), "dotdo-bench-persistence-"));
const ms = (v) => v.toFixed(0).padStart(7);
const kb = (v) => (v / 1024).toFixed(0).padStart(8);
try {
  for (const backend of backends) {
    let s3;
    let base;
    if (backend === "s3") {
      s3 = await startS3rver(join(temp, "s3"));
      // s3rver ignores conditional writes; one writer here, so the bench does not need them.
      base = bench.createS3Store({
        bucket: "bench",
        endpoint: s3.endpoint,
        credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
      });
    } else {
      base = await bench.createFileStore(join(temp, "file"));
    }
    console.log(`\n${backend}: times in ms, sizes in KiB`);
    console.log("   rows | checkpoint      KiB | restore      KiB | floor up  down      KiB | restore/floor | 1-row KiB   % of full");
    for (const rows of sizes) {
      const f = await bench.measure(bench.withPrefix(base, `n${rows}`), rows);
      const floor = f.floorDownloadMs;
      console.log(
        `${String(rows).padStart(7)} | ${ms(f.checkpointMs)} ${kb(f.checkpointBytes)} | ${ms(f.restoreMs)} ${kb(f.restoreBytes)} | ` +
          `${ms(f.floorUploadMs)} ${ms(f.floorDownloadMs)} ${kb(f.floorBytes)} | ${(f.restoreMs / floor).toFixed(1).padStart(12)}× | ` +
          `${kb(f.oneRowBytes)} ${((100 * f.oneRowBytes) / f.checkpointBytes).toFixed(1).padStart(9)}%`,
      );
    }
    s3?.close();
  }
} finally {
  await rm(temp, { recursive: true, force: true });
}
