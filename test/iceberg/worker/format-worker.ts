// Runs the format layer inside a runtime under test: writes a table's files with the Avro codec
// named in `?codec=`, reads them back, and returns both (or the error's code).
import {
  addSnapshot,
  buildSchema,
  createTableMetadata,
  dataFileOf,
  readDataFile,
  readManifest,
  readManifestList,
  serializeTableMetadata,
  type AvroCodec,
  writeDataFile,
  writeManifest,
  writeManifestList,
} from "../../../src/runtime/iceberg";

const base = "s3://bucket/org/t/do/1/tables/users";

export const ROWS = [
  { id: "9223372036854775807", name: "Zoë 😀", blob: [0, 255, 128], score: 2.5, ok: true },
  { id: "-9007199254740993", name: null, blob: null, score: null, ok: null },
];

export const SCHEMA = buildSchema([
  { name: "id", type: "long", required: true },
  { name: "name", type: "string" },
  { name: "blob", type: "binary" },
  { name: "score", type: "double" },
  { name: "ok", type: "boolean" },
]);

/** `ROWS` (JSON-safe, so a test can compare with an answer) as the format layer takes them. */
export const rowValues = () => ROWS.map((r) => ({ ...r, id: BigInt(r.id), blob: r.blob && new Uint8Array(r.blob) }));

const toBase64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));

export default {
  async fetch(request: Request): Promise<Response> {
    const codec = (new URL(request.url).searchParams.get("codec") ?? "null") as AvroCodec;
    try {
      return Response.json(await roundTrip(codec));
    } catch (error) {
      return Response.json({ error: (error as { code?: string }).code ?? String(error) });
    }
  },
};

async function roundTrip(codec: AvroCodec) {
  const schema = SCHEMA;
  const rows = rowValues();
  const written = writeDataFile(schema, rows);
  const { bytes: manifest, manifestFile } = await writeManifest({
    path: `${base}/metadata/m.avro`, schema, snapshotId: 5, sequenceNumber: 1, added: [dataFileOf(`${base}/data/d.parquet`, written)], codec,
  });
  const list = await writeManifestList({ snapshotId: 5, sequenceNumber: 1, manifests: [manifestFile], codec });
  const metadata = addSnapshot(createTableMetadata({ location: base, schema }), {
    snapshotId: 5, sequenceNumber: 1, operation: "append", manifestList: `${base}/metadata/snap-5.avro`, manifests: [manifestFile],
  });
  const [listed] = await readManifestList(list, "list");
  const entries = listed === undefined ? [] : (await readManifest(manifest, listed)).entries;
  const back = await readDataFile(written.bytes, schema, "d.parquet");
  return {
    files: { parquet: toBase64(written.bytes), manifest: toBase64(manifest), list: toBase64(list), metadata: serializeTableMetadata(metadata) },
    readBack: {
      rows: back.map((r) => ({ ...r, id: String(r["id"]), blob: r["blob"] instanceof Uint8Array ? [...r["blob"]] : null })),
      entries: entries.map((e) => ({ path: e.dataFile.filePath, records: e.dataFile.recordCount })),
    },
  };
}
