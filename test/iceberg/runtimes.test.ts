import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { EdgeRuntime } from "edge-runtime";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseTableMetadata, readDataFile, readManifest, readManifestList } from "./api";
import { ROWS, rowValues, SCHEMA } from "./worker/format-worker";

// The format layer ships inside user bundles: bundle it as wrangler does (export conditions
// workerd/worker/browser, no Node built-ins) and run the same script on every target runtime.
const run = promisify(execFile);
const bin = (name: string) => fileURLToPath(new URL(`../../node_modules/.bin/${name}`, import.meta.url));
const entry = fileURLToPath(new URL("./worker/format-worker.ts", import.meta.url));

interface Answer {
  error?: string;
  files: { parquet: string; manifest: string; list: string; metadata: string };
  readBack: { rows: unknown[]; entries: { path: string; records: number }[] };
}

let dir: string;
let esm: string;
let iife: string;
let mf: Miniflare;

async function bundle(format: "esm" | "iife"): Promise<string> {
  const result = await build({
    entryPoints: [entry], bundle: true, format, globalName: "FormatWorker", platform: "neutral", target: "es2022",
    conditions: ["workerd", "worker", "browser"], write: false, logLevel: "silent",
  });
  return result.outputFiles[0]?.text ?? "";
}

/** Runs the ESM bundle in a standalone runtime (bun, deno) and returns the worker's answer. */
async function inProcess(command: string, args: string[], codec: string): Promise<Answer> {
  const runner = join(dir, `run-${codec}.mjs`);
  writeFileSync(runner, `import w from "./worker.mjs";\nconst r = await w.fetch(new Request("http://x/?codec=${codec}"));\nconsole.log(await r.text());\n`);
  const { stdout } = await run(command, [...args, runner], { timeout: 60_000 });
  return JSON.parse(stdout) as Answer;
}

const runtimes = {
  // workerd without nodejs_compat: the strictest target.
  workerd: async (codec) => (await (await mf.dispatchFetch(`http://worker/?codec=${codec}`)).json()) as Answer,
  "edge-runtime": async (codec) => {
    const edge = new EdgeRuntime();
    edge.evaluate(iife);
    const response = await edge.evaluate<Promise<Response>>(`FormatWorker.default.fetch(new Request("http://x/?codec=${codec}"))`);
    return (await response.json()) as Answer;
  },
  bun: (codec) => inProcess(bin("bun"), [], codec),
  deno: (codec) => inProcess(bin("deno"), ["run", "--allow-read"], codec),
} satisfies Record<string, (codec: string) => Promise<Answer>>;
type Runtime = keyof typeof runtimes;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "dotdo-runtimes-"));
  [esm, iife] = await Promise.all([bundle("esm"), bundle("iife")]);
  writeFileSync(join(dir, "worker.mjs"), esm);
  mf = new Miniflare({ modules: true, script: esm, compatibilityDate: "2025-09-01" });
});

afterAll(async () => {
  await mf?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const fromBase64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

describe("the format layer on every target runtime", () => {
  it("bundles without Node built-ins or code generation from strings", () => {
    expect(esm).not.toMatch(/from\s*["']node:|require\(["'](fs|buffer|util|stream|zlib)["']\)/);
    expect(esm).not.toMatch(/new Function\(/);
  });

  it.each(Object.keys(runtimes) as Runtime[])("%s writes and reads back data files, manifests and manifest lists", async (name) => {
    const answer = await runtimes[name]("null");
    expect(answer.readBack.rows).toEqual(ROWS);
    expect(answer.readBack.entries).toEqual([{ path: "s3://bucket/org/t/do/1/tables/users/data/d.parquet", records: 2 }]);
  });

  it.each<Runtime>(["workerd", "bun", "deno"])("%s also writes and reads the deflate codec", async (name) => {
    const answer = await runtimes[name]("deflate");
    expect(answer.readBack.rows).toEqual(ROWS);
  });

  it("edge-runtime, like Vercel Edge, has no CompressionStream: deflate is refused with a typed error", async () => {
    expect(await runtimes["edge-runtime"]("deflate")).toEqual({ error: "AVRO_CODEC_UNAVAILABLE" });
  });

  it("workerd writes files that Node reads back identically", async () => {
    const answer = await runtimes.workerd("deflate");
    const metadata = parseTableMetadata(answer.files.metadata, "v1.metadata.json");
    expect(metadata["current-snapshot-id"]).toBe(5);
    const [listed] = await readManifestList(fromBase64(answer.files.list), "list");
    expect(listed).toMatchObject({ addedSnapshotId: 5, addedFilesCount: 1, addedRowsCount: 2 });
    const entries = (await readManifest(fromBase64(answer.files.manifest), listed as NonNullable<typeof listed>)).entries;
    expect(entries[0]?.dataFile.columnStats.get(1)?.valueCount).toBe(2);
    const rows = await readDataFile(fromBase64(answer.files.parquet), SCHEMA, "d.parquet");
    expect(rows.map((r) => ({ ...r }))).toEqual(rowValues());
  });
});
