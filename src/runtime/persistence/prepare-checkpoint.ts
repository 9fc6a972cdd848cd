import { dataFileOf, type DataFile } from "../iceberg/data-file";
import { writeDataFile } from "../iceberg/data-file-write";
import { newSnapshotId } from "../iceberg/metadata";
import { sameFields } from "../iceberg/schema";
import type { Row } from "../iceberg/values";
import type { ObjectStore } from "../storage/types";
import type { ChangeSet } from "./change-tracker";
import { layoutOf, type Commit, type CommitFile, type CommitTable } from "./commit";
import { checkpointFolder, dataFileKey, manifestKey, tableSlug } from "./keys";
import { readSchema, readSequences } from "./schema";
import type { SqlPort } from "./sql-port";
import { planLayout, type TableLayout } from "./table-layout";
import { readRows } from "./table-rows";
import { Fingerprint } from "./fingerprint";

export interface CheckpointSettings {
  store: ObjectStore;
  port: SqlPort;
  /** Fully qualified location of the object's root, for paths inside Iceberg files. */
  location: string;
  /** Rows per data file; a changed row rewrites only its file. */
  chunkRows: number;
  holder: string;
  now: () => number;
}

/** A data file encoded from the database, not yet stored. */
export interface PendingFile {
  record: Omit<CommitFile, "manifestLength" | "snapshotId" | "sequenceNumber">;
  bytes: Uint8Array;
  dataFile: DataFile;
}

export interface TablePlan {
  name: string;
  /** The table as in the previous commit when nothing in it changed. */
  unchanged?: CommitTable;
  layout: TableLayout;
  slug: string;
  kept: CommitFile[];
  added: PendingFile[];
  uuid: string;
  snapshotId: number;
  tableSequence: number;
}

/**
 * Everything read from the database for one checkpoint; storing it needs no more reads.
 */
export interface PreparedCheckpoint {
  sequence: number;
  folder: string;
  timestampMs: number;
  database: Commit["database"];
  tables: TablePlan[];
  /** The newest commit: the tables' Iceberg snapshots continue from its. */
  newest: Commit | null;
  /** The database as a SQLite file image, when the port can read one now. */
  image: Uint8Array | null;
  /** The log position the state is at, when the object has a log. */
  log?: number;
  /** Seal entries that compaction keeps (see `SEAL_KEEP_MS`). */
  seals?: Array<[number, number]>;
}

/**
 * Reads what changed since `previous` — the commit the database was built from, whose files
 * are reused — synchronously, so no request can write in between and the checkpoint is one
 * consistent state, and encodes it as Parquet. The checkpoint becomes `sequence`. `newest`
 * is the commit before it (null if damaged); it differs from `previous` after going back in
 * time, and then every table gets a new snapshot.
 */
export function prepareCheckpoint(
  settings: CheckpointSettings,
  previous: Commit | null,
  newest: Commit | null,
  sequence: number,
  changes: ChangeSet,
): PreparedCheckpoint {
  const { port } = settings;
  const folder = checkpointFolder(sequence, crypto.randomUUID());
  // Commit times never go backwards, even across holders with skewed clocks: `asOf` relies on it.
  const timestampMs = Math.max(settings.now(), newest?.timestampMs ?? 0);
  const image = port.image?.() ?? null;
  const objects = readSchema(port);
  const behind = (previous?.sequence ?? 0) !== sequence - 1;
  const tables = objects
    .filter((o) => o.type === "table")
    .map((o) => planTable(settings, o.name, previous?.tables[o.name], newest?.tables[o.name], behind, changes, folder));
  return { sequence, folder, timestampMs, database: { objects, sequences: readSequences(port) }, tables, newest, image };
}

function planTable(
  settings: CheckpointSettings,
  name: string,
  previous: CommitTable | undefined,
  newest: CommitTable | undefined,
  behind: boolean,
  changes: ChangeSet,
  folder: string,
): TablePlan {
  const previousLayout = previous && layoutOf(previous);
  const layout = planLayout(settings.port, name, previousLayout);
  const sameLayout =
    previousLayout !== undefined &&
    previousLayout.rowidAlias === layout.rowidAlias &&
    sameFields(previousLayout.schema.fields, layout.schema.fields);
  const change = changes.everything ? "all" : changes.tables.get(name);
  const slug = previous?.slug ?? tableSlug(name);
  const plan = {
    name,
    layout,
    slug,
    uuid: newest?.uuid ?? previous?.uuid ?? crypto.randomUUID(),
    snapshotId: newSnapshotId(),
    tableSequence: Math.max(previous?.sequenceNumber ?? 0, newest?.sequenceNumber ?? 0) + 1,
  };
  const untouched = previous && sameLayout && change === undefined;
  if (untouched && !behind) return { ...plan, unchanged: previous, kept: previous.files, added: [] };

  // Which rowid ranges to read again. Rowids from a hook name their files; "something
  // changed" checks every file's range against its fingerprint; otherwise the table is new
  // or re-laid out and is written whole.
  let ranges: Range[] = [{ from: null, to: null }];
  let kept: CommitFile[] = [];
  if (previous && sameLayout && previous.files.length > 0 && layout.rowidAlias !== null) {
    const files = previous.files;
    const rangeOf = (i: number): Range => ({ from: files[i]!.fromRowid, to: files[i + 1]?.fromRowid ?? null });
    if (change instanceof Set) {
      const rewrite = affectedFiles(files, change);
      kept = files.filter((_, i) => !rewrite.has(i));
      ranges = [...rewrite].map(rangeOf);
    } else if (change === "all") {
      ranges = files.map((file, i) => ({ ...rangeOf(i), expect: file }));
    } else {
      kept = files;
      ranges = [];
    }
  } else if (untouched) {
    kept = previous.files;
    ranges = [];
  } else if (previous && sameLayout && previous.files.length === 1) {
    // A WITHOUT ROWID table is one file: checked whole against its fingerprint.
    ranges = [{ from: null, to: null, expect: previous.files[0]! }];
  }
  const fields = layout.schema.fields.map((f) => f.name);
  const added: PendingFile[] = [];
  const write = (chunk: Chunk) => {
    const index = added.length;
    const key = dataFileKey(folder, slug, index);
    const written = writeDataFile(layout.schema, chunk.rows);
    added.push({
      record: {
        key,
        manifestKey: manifestKey(folder, slug, index),
        rows: written.recordCount,
        bytes: written.bytes.length,
        fromRowid: chunk.fromRowid,
        fingerprint: new Fingerprint().addRows(chunk.rows, fields).digest(),
      },
      bytes: written.bytes,
      dataFile: dataFileOf(`${settings.location}/${key}`, written),
    });
  };
  for (const range of ranges) {
    const chunks = readChunks(settings, name, layout, range.from, range.to);
    if (range.expect && unchangedRange(chunks, range.expect, fields, write)) kept.push(range.expect);
    for (const chunk of chunks) write(chunk);
  }
  return { ...plan, kept, added };
}

interface Range {
  from: string | null;
  to: string | null;
  /** The file that held this range: kept if the rows are still the same. */
  expect?: CommitFile;
}

interface Chunk {
  rows: Row[];
  fromRowid: string | null;
}

/**
 * Reads a range's chunks until it is clear whether its rows still match `expect` (same count
 * and fingerprint). If they do, nothing is written; if not, the chunks read so far go to
 * `write` and the caller writes the rest.
 */
function unchangedRange(chunks: Iterator<Chunk>, expect: CommitFile, fields: readonly string[], write: (chunk: Chunk) => void): boolean {
  const held: Chunk[] = [];
  const fingerprint = new Fingerprint();
  let count = 0;
  for (let next = chunks.next(); !next.done; next = chunks.next()) {
    held.push(next.value);
    count += next.value.rows.length;
    if (count > expect.rows) break;
    fingerprint.addRows(next.value.rows, fields);
  }
  if (count === expect.rows && fingerprint.digest() === expect.fingerprint) return true;
  held.forEach(write);
  return false;
}

/** Splits the rows of `[from, to)` into files of at most `chunkRows` rows. */
function* readChunks(
  settings: CheckpointSettings,
  table: string,
  layout: TableLayout,
  from: string | null,
  to: string | null,
): Generator<Chunk, void, undefined> {
  if (layout.rowidField === null) {
    yield { rows: readRows(settings.port, table, layout), fromRowid: null };
    return;
  }
  const end = to === null ? undefined : BigInt(to);
  let cursor = from === null ? undefined : BigInt(from);
  let fromRowid = from;
  for (;;) {
    const rows = readRows(settings.port, table, layout, { from: cursor, to: end }, settings.chunkRows);
    if (rows.length === 0) return;
    yield { rows, fromRowid };
    if (rows.length < settings.chunkRows) return;
    cursor = (rows[rows.length - 1]![layout.rowidField] as bigint) + 1n;
    fromRowid = cursor.toString();
  }
}

/** Indexes of the files whose rowid ranges hold a changed rowid. */
function affectedFiles(files: readonly CommitFile[], rowids: ReadonlySet<bigint>): Set<number> {
  const starts = files.map((f) => (f.fromRowid === null ? null : BigInt(f.fromRowid)));
  const affected = new Set<number>();
  for (const rowid of rowids) {
    let low = 0;
    let high = starts.length - 1;
    // The last file whose start is at or below `rowid`; the first file starts at the lowest.
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      const start = starts[mid];
      if (start === null || start === undefined || start <= rowid) low = mid;
      else high = mid - 1;
    }
    affected.add(low);
  }
  return affected;
}
