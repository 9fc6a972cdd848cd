import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSchema, parseTableMetadata, readDataFile, readManifest, readManifestList } from "./api";
import { ROWS } from "./worker/format-worker";

// The format layer ships inside Workers: bundle it as wrangler does (export conditions
// workerd/worker/browser, no Node built-ins) and run it in workerd without nodejs_compat.
let mf: Miniflare;
let body: {
  files: { parquet: string; manifest: string; list: string; metadata: string };
  readInWorkerd: { rows: unknown[]; entries: { path: string; records: number }[] };
};
let script: string;

beforeAll(async () => {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("./worker/format-worker.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  script = result.outputFiles[0]?.text ?? "";
  mf = new Miniflare({ modules: true, script, compatibilityDate: "2025-09-01" });
  body = (await (await mf.dispatchFetch("http://worker/")).json()) as typeof body;
});

afterAll(async () => {
  await mf?.dispose();
});

const fromBase64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

describe("the format layer in workerd", () => {
  it("bundles without Node built-ins or code generation from strings", () => {
    expect(script).not.toMatch(/from\s*["']node:|require\(["'](fs|buffer|util|stream|zlib)["']\)/);
    expect(script).not.toMatch(/new Function\(/);
  });

  it("writes and reads back data files, manifests and manifest lists", () => {
    expect(body.readInWorkerd.rows).toEqual(ROWS);
    expect(body.readInWorkerd.entries).toEqual([{ path: "s3://bucket/org/t/do/1/tables/users/data/d.parquet", records: 2 }]);
  });

  it("writes files that Node reads back identically", async () => {
    const metadata = parseTableMetadata(body.files.metadata, "v1.metadata.json");
    expect(metadata["current-snapshot-id"]).toBe(5);
    const [listed] = await readManifestList(fromBase64(body.files.list), "list");
    expect(listed).toMatchObject({ addedSnapshotId: 5, addedFilesCount: 1, addedRowsCount: 2 });
    const entries = (await readManifest(fromBase64(body.files.manifest), listed as NonNullable<typeof listed>)).entries;
    expect(entries[0]?.dataFile.columnStats.get(1)?.valueCount).toBe(2);
    const schema = buildSchema([
      { name: "id", type: "long", required: true },
      { name: "name", type: "string" },
      { name: "blob", type: "binary" },
      { name: "score", type: "double" },
      { name: "ok", type: "boolean" },
    ]);
    const rows = await readDataFile(fromBase64(body.files.parquet), schema, "d.parquet");
    expect(rows.map((r) => ({ ...r }))).toEqual(ROWS.map((r) => ({ ...r, id: BigInt(r.id), blob: r.blob && new Uint8Array(r.blob) })));
  });
});
