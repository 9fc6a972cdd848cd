import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { icebergManifests, icebergMetadata, icebergRead } from "icebird";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { DurableObjectNamespace } from "../../src/runtime/index";
import { persistenceLifecycle } from "../../src/runtime/persistence/lifecycle";
import type { SqliteDatabase } from "../../src/runtime/sqlite/types";
import { createStore } from "../../src/runtime/storage/create";
import { createWorker, type Worker } from "../../src/runtime/worker";
import { serveDirectory } from "../iceberg/static-server";
import { fromHex, hex, OTHER_FIELD, rowFromIceberg, sortRows, sqliteCells, type Cell, type TableCells } from "./cells";
import * as objects from "./shop";

// Independent readers of what the runtime checkpointed to the file store, as a deployed app
// writes it: Iceberg locations are the store's own `file://` URLs. icebird reads over HTTP
// only, so the store folder is served on 127.0.0.1 and icebird's fetch is redirected from
// `file://{folder}/…` to that server; DuckDB reads the data files the Iceberg manifests name.

type Metadata = Awaited<ReturnType<typeof icebergMetadata>>;

let dir: string;
let server: { url: string; close: () => Promise<void> };
let worker: Worker;
let db: SqliteDatabase;
let objectRoot: string;
/** Every table's rows as SQLite held them at checkpoint 1 and at checkpoint 2. */
const atCheckpoint: Record<string, TableCells>[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dotdo-proof-readers-"));
  server = await serveDirectory(dir);
  const realFetch = globalThis.fetch;
  const root = `${new URL(`file://${dir}`).href}/`;
  vi.stubGlobal("fetch", (input: Request | string | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    return realFetch(url.startsWith(root) ? `${server.url}/${url.slice(root.length)}` : input, init);
  });

  const store = await createStore({ kind: "file", root: dir });
  // Two rows per data file, so tables span several files and manifests.
  const lifecycle = persistenceLifecycle({ store, iceberg: { autoCheckpoint: false }, chunkRows: 2 });
  worker = await createWorker(objects, { durableObjects: { SHOP: { className: "Shop" } }, lifecycle });
  const ns = worker.env.SHOP as DurableObjectNamespace<objects.Shop>;
  const id = ns.idFromName("readers");
  const shop = ns.get(id);
  await shop.build();
  await shop.remember({ greeting: "hello", n: 42 });
  await shop.schedule(Date.now() + 3_600_000);
  db = (await worker.objects.SHOP!.instance(id)).db;
  const handle = lifecycle.handleFor(db)!;
  await handle.saveToIceberg();
  atCheckpoint.push(snapshotOf(db));
  await shop.reprice();
  await handle.saveToIceberg();
  atCheckpoint.push(snapshotOf(db));
  objectRoot = join(dir, "do", id.toString());
}, 30_000);

afterAll(async () => {
  vi.unstubAllGlobals();
  await worker?.dispose();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The SQLite tables a checkpoint carries as Iceberg tables (sqlite_sequence rides in the commit). */
function snapshotOf(database: SqliteDatabase): Record<string, TableCells> {
  const names = database.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'sqlite_sequence' ORDER BY name");
  return Object.fromEntries(names.map(([name]) => [String(name), sqliteCells(database, String(name))]));
}

/** Table folders under `tables/`, decoded by the documented rule (`~{hex code point}~`). */
async function icebergTables(): Promise<Map<string, string>> {
  const slugs = await readdir(join(objectRoot, "tables"));
  return new Map(slugs.map((slug) => [slug.replace(/~([0-9a-f]+)~/g, (_, h: string) => String.fromCodePoint(parseInt(h, 16))), slug]));
}

const tableUrl = (slug: string) => `${server.url}/${relative(dir, objectRoot)}/tables/${slug}`;

function fieldTypes(metadata: Metadata): Map<string, string> {
  const schema = metadata.schemas.find((s) => s["schema-id"] === metadata["current-schema-id"])!;
  return new Map(schema.fields.map((f) => [f.name, String(f.type)]));
}

/**
 * icebird's value as a cell. icebird decodes every Parquet BYTE_ARRAY as UTF-8 text (it calls
 * hyparquet with `utf8: true`), so a `binary` value comes back as a string: those cells are
 * `b~:{text}`, compared with the expected bytes decoded the same way. DuckDB checks the bytes.
 */
function icebirdCell(type: string | undefined, value: unknown): Cell {
  if (value === null || value === undefined) return "n";
  if (type === "long") return `i:${String(value as bigint)}`;
  if (type === "double") return `r:${String(value as number)}`;
  if (type === "binary") return value instanceof Uint8Array ? `b:${hex(value)}` : `b~:${String(value)}`;
  return `t:${String(value)}`;
}

function asIcebirdSeesBlobs(rows: Cell[][], icebirdRows: Cell[][]): Cell[][] {
  const lossy = icebirdRows.some((row) => row.some((c) => c.startsWith("b~:")));
  if (!lossy) return rows;
  return rows.map((row, r) =>
    row.map((c, i) => (c.startsWith("b:") && icebirdRows[r]?.[i]?.startsWith("b~:") ? `b~:${new TextDecoder().decode(fromHex(c.slice(2)))}` : c)),
  );
}

async function readWithIcebird(slug: string, expected: TableCells, metadataFileName?: string): Promise<Cell[][]> {
  const options = { tableUrl: tableUrl(slug), ...(metadataFileName ? { metadataFileName } : {}) };
  const types = fieldTypes(await icebergMetadata(options));
  const rows = await icebergRead(options);
  return sortRows(
    rows.map((row) =>
      rowFromIceberg(expected.columns, expected.withoutRowid, (field) => icebirdCell(types.get(field), row[field]), (row[OTHER_FIELD] as string | null) ?? null),
    ),
  );
}

describe("icebird reads every table of the checkpoint over HTTP", () => {
  it("the table metadata names the store's file:// locations, as an app writes them", async () => {
    const [slug] = (await icebergTables()).values();
    const metadata = await icebergMetadata({ tableUrl: tableUrl(slug!) });
    expect(metadata.location.startsWith(`file://${dir}/`)).toBe(true);
  });

  it("every SQLite table is an Iceberg table, and each holds the same rows and storage classes", async () => {
    const tables = await icebergTables();
    const expected = atCheckpoint[1]!;
    expect([...tables.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [name, slug] of tables) {
      const want = expected[name]!;
      const got = await readWithIcebird(slug, want);
      expect({ name, rows: got }).toEqual({ name, rows: asIcebirdSeesBlobs(want.rows, got) });
    }
  });

  it("travels back to checkpoint 1 through the older metadata file", async () => {
    const slug = (await icebergTables()).get("products")!;
    const hint = await readFile(join(objectRoot, "tables", slug, "metadata", "version-hint.text"), "utf8");
    expect(hint).toBe("2");
    const [before, after] = [atCheckpoint[0]!.products!, atCheckpoint[1]!.products!];
    expect(before.rows).not.toEqual(after.rows);
    const old = await readWithIcebird(slug, before, "v1.metadata.json");
    expect(old).toEqual(asIcebirdSeesBlobs(before.rows, old));
  });

  it("an empty table is an Iceberg table whose snapshot lists no data files", async () => {
    // audit was empty at checkpoint 1. icebird's icebergRead refuses a snapshot without data
    // files ("No data manifest files found"), so its manifests are read instead.
    expect(atCheckpoint[0]!.audit!.rows).toEqual([]);
    const options = { tableUrl: tableUrl((await icebergTables()).get("audit")!), metadataFileName: "v1.metadata.json" };
    const metadata = await icebergMetadata(options);
    const current = metadata.snapshots?.find((snapshot) => snapshot["snapshot-id"] === metadata["current-snapshot-id"]);
    expect(current?.summary).toMatchObject({ "total-records": "0", "total-data-files": "0" });
    expect((await icebergManifests(metadata)).flatMap((m) => m.entries)).toEqual([]);
  });
});

describe("DuckDB reads the data files the Iceberg manifests name", () => {
  let instance: DuckDBInstance;
  let duck: DuckDBConnection;
  beforeAll(async () => {
    instance = await DuckDBInstance.create(":memory:");
    duck = await instance.connect();
  });
  afterAll(() => {
    duck?.closeSync();
    instance?.closeSync();
  });

  const duckType: Record<string, string> = { long: "BIGINT", double: "DOUBLE", string: "VARCHAR", binary: "BLOB" };

  async function dataFiles(slug: string): Promise<string[]> {
    const manifests = await icebergManifests(await icebergMetadata({ tableUrl: tableUrl(slug) }));
    return manifests.flatMap((m) => m.entries.filter((e) => e.status !== 2).map((e) => fileURLToPath(e.data_file.file_path)));
  }

  it("with the column types of the Iceberg schema, products' by its declared types", async () => {
    for (const [name, slug] of await icebergTables()) {
      const types = fieldTypes(await icebergMetadata({ tableUrl: tableUrl(slug) }));
      for (const file of await dataFiles(slug)) {
        const described = (await duck.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).getRowObjectsJS();
        expect({ name, columns: described.map((d) => [d["column_name"], d["column_type"]]) }).toEqual({
          name,
          columns: [...types].map(([field, type]) => [field, duckType[type]]),
        });
      }
    }
    const products = (await icebergTables()).get("products")!;
    const [file] = await dataFiles(products);
    const described = (await duck.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).getRowObjectsJS();
    expect(described.map((d) => [d["column_name"], d["column_type"]])).toEqual([
      ["_dotdo_rowid", "BIGINT"],
      ["id", "BIGINT"],
      ["name", "VARCHAR"],
      ["price", "DOUBLE"],
      ["stock", "BIGINT"],
      ["photo", "BLOB"],
      ["extra", "VARCHAR"],
      ["_dotdo_other", "VARCHAR"],
    ]);
  });

  it("and the same rows, blobs byte for byte", async () => {
    const expected = atCheckpoint[1]!;
    for (const [name, slug] of await icebergTables()) {
      const want = expected[name]!;
      const types = fieldTypes(await icebergMetadata({ tableUrl: tableUrl(slug) }));
      const fields = [...types.keys()];
      // Exact text from DuckDB itself: 64-bit integers and blobs never pass through JS numbers.
      const select = fields.map((f) => {
        const q = `"${f.replaceAll('"', '""')}"`;
        return types.get(f) === "binary" ? `hex(${q})` : types.get(f) === "long" ? `CAST(${q} AS VARCHAR)` : q;
      });
      const files = (await dataFiles(slug)).map((f) => `'${f}'`).join(", ");
      const rows = (await duck.runAndReadAll(`SELECT ${select.join(", ")} FROM read_parquet([${files}])`)).getRowsJS();
      const got = sortRows(
        rows.map((row) => {
          const value = (field: string): Cell => {
            const v = row[fields.indexOf(field)];
            if (v === null || v === undefined) return "n";
            const type = types.get(field);
            return type === "long" ? `i:${String(v)}` : type === "double" ? `r:${String(v)}` : type === "binary" ? `b:${String(v)}` : `t:${String(v)}`;
          };
          return rowFromIceberg(want.columns, want.withoutRowid, value, (row[fields.indexOf(OTHER_FIELD)] as string | null) ?? null);
        }),
      );
      expect({ name, rows: got }).toEqual({ name, rows: want.rows });
    }
  });
});
