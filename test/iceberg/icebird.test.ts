import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { icebergRead } from "icebird";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSchema, readManifestList, type Row } from "./api";
import { serveDirectory } from "./static-server";
import { commitSnapshot, readTable, type TestStore } from "./table-fixture";

// icebird is an independent Iceberg reader; it reads over HTTP only, so the table is laid out
// in a temp dir behind a local static server and its locations are that server's URLs.
let dir: string;
let server: { url: string; close: () => Promise<void> };
let store: TestStore;
let table: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "dotdo-icebird-"));
  server = await serveDirectory(dir);
  table = `${server.url}/org/tenant/do/abc/tables/users`;
  const local = (location: string) => join(dir, location.slice(server.url.length));
  store = {
    put(location, bytes) {
      mkdirSync(dirname(local(location)), { recursive: true });
      writeFileSync(local(location), bytes);
    },
    get: (location) => new Uint8Array(readFileSync(local(location))),
  };
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const s1 = buildSchema([
  { name: "id", type: "long", required: true },
  { name: "name", type: "string" },
  { name: "blob", type: "binary" },
  { name: "score", type: "double" },
  { name: "ok", type: "boolean" },
]);
const s2 = buildSchema([...s1.fields, { name: "email", type: "string" }], s1);

const rows1: Row[] = [
  { id: 1n, name: "Ada ✓", blob: new TextEncoder().encode("raw"), score: 1.25, ok: true },
  { id: 2n ** 62n + 3n, name: null, blob: null, score: null, ok: false },
];
const rows2: Row[] = [{ id: -(2n ** 60n), name: "Grace 😀", blob: null, score: -3, ok: null, email: "g@example.org" }];
const rows3: Row[] = [{ id: 7n, name: "only", blob: null, score: 0.5, ok: true, email: null }];

/**
 * icebird's row shape, compared against ours. Two differences are icebird's, not the table's:
 * it decodes every Parquet BYTE_ARRAY as UTF-8 text (it calls hyparquet with the default
 * `utf8: true`), so `binary` values come back as strings, and a column missing from an older
 * data file comes back as undefined rather than null.
 */
function asIcebirdSees(rows: readonly Row[], columns: readonly string[]): Record<string, unknown>[] {
  return rows.map((row) =>
    Object.fromEntries(columns.map((c) => {
      const v = row[c];
      return [c, v instanceof Uint8Array ? new TextDecoder().decode(v) : v];
    })),
  );
}

const byId = (a: Record<string, unknown>, b: Record<string, unknown>) => ((a["id"] as bigint) < (b["id"] as bigint) ? -1 : 1);

describe("icebird reads dotdo tables over HTTP", () => {
  it("across snapshots that append, reuse a manifest, evolve the schema and overwrite", async () => {
    const first = await commitSnapshot(store, { tableLocation: table, version: 1, schema: s1, rows: rows1, operation: "append" });
    expect(await icebergRead({ tableUrl: table })).toEqual(asIcebirdSees(rows1, ["id", "name", "blob", "score", "ok"]));

    const second = await commitSnapshot(store, {
      tableLocation: table, metadata: first.metadata, version: 2, schema: s2, rows: rows2, operation: "append", reuse: [first.manifest],
    });
    const columns = ["id", "name", "blob", "score", "ok", "email"];
    const afterTwo = await icebergRead({ tableUrl: table });
    expect(afterTwo.sort(byId)).toEqual(asIcebirdSees([...rows1, ...rows2], columns).sort(byId));

    await commitSnapshot(store, { tableLocation: table, metadata: second.metadata, version: 3, schema: s2, rows: rows3, operation: "overwrite" });
    expect(await icebergRead({ tableUrl: table })).toEqual(asIcebirdSees(rows3, columns));

    // Time travel through older metadata files.
    expect(await icebergRead({ tableUrl: table, metadataFileName: "v1.metadata.json" })).toEqual(asIcebirdSees(rows1, ["id", "name", "blob", "score", "ok"]));
    expect((await icebergRead({ tableUrl: table, metadataFileName: "v2.metadata.json" })).sort(byId)).toEqual(
      asIcebirdSees([...rows1, ...rows2], columns).sort(byId),
    );
  });

  it("and dotdo's own restore path reads the same rows, binary included", async () => {
    expect((await readTable(store, table)).map((r) => ({ ...r }))).toEqual(rows3);
  });

  it("the second snapshot's manifest list holds the first snapshot's manifest as is", async () => {
    const v2 = JSON.parse(new TextDecoder().decode(store.get(`${table}/metadata/v2.metadata.json`))) as {
      snapshots: { "snapshot-id": number; "manifest-list": string; summary: Record<string, string> }[];
    };
    const [one, two] = v2.snapshots;
    expect(two?.summary).toMatchObject({ operation: "append", "added-data-files": "1", "total-data-files": "2", "total-records": "3" });
    const list = await readManifestList(store.get(two?.["manifest-list"] as string), "list");
    const firstList = await readManifestList(store.get(one?.["manifest-list"] as string), "list");
    expect(list[1]).toEqual(firstList[0]);
    expect(list[1]?.addedSnapshotId).toBe(one?.["snapshot-id"]);
  });
});
