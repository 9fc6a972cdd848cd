import { CorruptFileError } from "../iceberg/errors";
import { readDataFile } from "../iceberg/data-file-read";
import { readManifestList } from "../iceberg/manifest-list";
import type { Row } from "../iceberg/values";
import type { ObjectStore } from "../storage/types";
import { decodeCommit, layoutOf, type Commit, type CommitTable } from "./commit";
import { CorruptSnapshotError, RestoreTargetNotEmptyError, SnapshotNotFoundError } from "./errors";
import { fetchImage } from "./image";
import { COMMITS_PREFIX, commitKey, LATEST_KEY, sequenceOfCommitKey } from "./keys";
import { loadDatabase } from "./load-database";
import { selfConvertingColumns } from "./schema";
import type { SqlPort } from "./sql-port";
import { writeRows } from "./table-rows";
import type { OtherCells } from "./value-tags";

/** Commits probed past the `latest` hint in the same round trip (the hint may be stale). */
const PROBE = 1;

/** The newest commit, and the read of its image when it was started early (see `readLatest`). */
export interface LatestCommit {
  commit: Commit;
  image: Promise<Uint8Array> | null;
}

/** The newest commit, or null for an object never checkpointed. */
export async function readLatestCommit(store: ObjectStore): Promise<Commit | null> {
  return (await readLatest(store))?.commit ?? null;
}

/**
 * The newest commit. Round trip 1 reads the `latest` hint, a copy of the newest commit written
 * after it. Round trip 2 fetches the commit it names and the next one, in case the hint lags
 * behind; meanwhile `prefetch` already reads that commit's image, which is kept if the hint
 * holds. Without a usable hint, or with one naming a commit that is gone (expired while the
 * hint lagged), the commit keys are listed.
 */
export async function readLatest(store: ObjectStore, prefetch?: (commit: Commit) => Promise<Uint8Array> | null): Promise<LatestCommit | null> {
  const hint = await store.get(LATEST_KEY);
  const hinted = hint ? parseHint(hint.body) : null;
  let listed = hinted === null;
  const start = hinted?.sequence ?? (await listLatestSequence(store));
  if (start === null) return null;
  const image = hinted?.copy && prefetch ? prefetch(hinted.copy) : null;
  // Awaited below when the hint holds, dropped when it does not.
  image?.catch(() => undefined);
  let base = start;
  let newest: { sequence: number; bytes: Uint8Array } | null = null;
  for (;;) {
    const sequences = Array.from({ length: PROBE + 1 }, (_, i) => base + i);
    const found = await Promise.all(sequences.map((s) => store.get(commitKey(s))));
    if (!found[0] && !newest) {
      const fallback = listed ? null : await listLatestSequence(store);
      // A hint (or listing) naming commits that do not exist is damage: never start empty.
      if (fallback === null) throw new CorruptSnapshotError(commitKey(base), `missing, though ${listed ? "listed" : "the latest hint names it"}`);
      listed = true;
      base = fallback;
      continue;
    }
    let i = 0;
    while (i < found.length && found[i]) {
      newest = { sequence: sequences[i]!, bytes: found[i]!.body };
      i++;
    }
    if (i < found.length) break;
    base += found.length;
  }
  const commit = decodeCommit(newest!.bytes, commitKey(newest!.sequence), newest!.sequence);
  const hintHeld = hinted?.copy !== undefined && newest!.sequence === hinted.sequence && sameBytes(newest!.bytes, hint!.body);
  return { commit, image: hintHeld ? image : null };
}

/** The hint's sequence number and the commit copy it carries (older hints hold the number only). */
function parseHint(bytes: Uint8Array): { sequence: number; copy?: Commit } | null {
  const text = new TextDecoder().decode(bytes);
  if (/^\d+$/.test(text)) return Number.isSafeInteger(Number(text)) && Number(text) > 0 ? { sequence: Number(text) } : null;
  try {
    const { sequence } = JSON.parse(text) as { sequence?: unknown };
    if (typeof sequence !== "number" || !Number.isSafeInteger(sequence) || sequence < 1) return null;
    return { sequence, copy: decodeCommit(bytes, LATEST_KEY, sequence) };
  } catch {
    // A damaged hint is only a hint: the commits are listed instead.
    return null;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** All committed sequence numbers, ascending. */
export async function listSequences(store: ObjectStore): Promise<number[]> {
  const sequences: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list(COMMITS_PREFIX, cursor === undefined ? {} : { cursor });
    for (const object of page.objects) {
      const sequence = sequenceOfCommitKey(object.key);
      if (sequence !== null) sequences.push(sequence);
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  return sequences.sort((a, b) => a - b);
}

async function listLatestSequence(store: ObjectStore): Promise<number | null> {
  return (await listSequences(store)).at(-1) ?? null;
}

/** One commit by sequence number. */
export async function readCommit(store: ObjectStore, sequence: number): Promise<Commit> {
  const key = commitKey(sequence);
  const object = await store.get(key);
  if (!object) throw new SnapshotNotFoundError(`no checkpoint ${sequence} (${key})`);
  return decodeCommit(object.body, key, sequence);
}

/** Starts reading a commit's image, when it has one and the port can load it. */
export function imageReader(store: ObjectStore, port: SqlPort): (commit: Commit) => Promise<Uint8Array> | null {
  return (commit) => (commit.image && port.loadImage ? fetchImage(store, commit.image, commitKey(commit.sequence)) : null);
}

/**
 * Loads a commit into an empty database (or in place of its contents with `replace`). A commit
 * with a SQLite image, on a port that can load one, is restored from it: its packs are read at
 * once (round trip 3, or already during round trip 2: `image`), every chunk checked against
 * its hash before the database is touched. A missing or damaged image goes to
 * `onImageError`, and the tables are loaded instead.
 */
export async function loadCommit(
  store: ObjectStore,
  port: SqlPort,
  commit: Commit,
  replace = false,
  onImageError: (error: unknown) => void = () => undefined,
  image?: Promise<Uint8Array> | null,
): Promise<void> {
  if (commit.image && port.loadImage) {
    if (!replace && port.query("SELECT 1 FROM sqlite_master LIMIT 1").length > 0) throw new RestoreTargetNotEmptyError();
    try {
      port.loadImage(await (image ?? fetchImage(store, commit.image, commitKey(commit.sequence))));
      return;
    } catch (error) {
      onImageError(error);
    }
  }
  await loadTables(store, port, commit, replace);
}

/**
 * Loads a commit's tables: round trip 3 fetches every data file and every table's manifest
 * list in parallel; all are decoded and checked before the database is touched, so a damaged
 * snapshot leaves it as it was and names the damaged file.
 */
async function loadTables(store: ObjectStore, port: SqlPort, commit: Commit, replace: boolean): Promise<void> {
  const tables = Object.entries(commit.tables);
  for (const object of commit.database.objects) {
    if (object.type === "table" && !commit.tables[object.name]) {
      throw new CorruptSnapshotError(commitKey(commit.sequence), `table ${JSON.stringify(object.name)} has no files`);
    }
  }
  const jobs = tables.flatMap(([name, table]) => [
    { kind: "list" as const, name, table, key: table.manifestListKey },
    ...table.files.map((file) => ({ kind: "data" as const, name, table, key: file.key, rows: file.rows })),
  ]);
  const decoded = new Map<string, { key: string; rows: Row[] }[]>();
  // All in one wave, whatever the file count: the third round trip is the last one.
  await Promise.all(jobs.map(async (job) => {
    const object = await store.get(job.key);
    if (!object) throw new CorruptSnapshotError(job.key, "missing");
    try {
      if (job.kind === "list") {
        await checkManifestList(object.body, job.key, job.table);
        return;
      }
      const rows = await readDataFile(object.body, layoutOf(job.table).schema, job.key);
      if (rows.length !== job.rows) throw new CorruptSnapshotError(job.key, `holds ${rows.length} rows, the commit says ${job.rows}`);
      const list = decoded.get(job.name) ?? [];
      list.push({ key: job.key, rows });
      decoded.set(job.name, list);
    } catch (error) {
      throw error instanceof CorruptFileError ? new CorruptSnapshotError(job.key, error.message, { cause: error }) : error;
    }
  }));
  loadDatabase(port, commit.database, (name) => {
    const table = commit.tables[name]!;
    const layout = layoutOf(table);
    const order = new Map(table.files.map((f, i) => [f.key, i]));
    const files = (decoded.get(name) ?? []).sort((a, b) => order.get(a.key)! - order.get(b.key)!);
    const selfConverting = selfConvertingColumns(port, name);
    for (const file of files) writeRows(port, name, layout, file.rows, (text) => parseOther(text, file.key), selfConverting);
  }, replace);
}

/** The manifest list must name exactly the commit's manifests (wherever the store is mounted). */
async function checkManifestList(bytes: Uint8Array, key: string, table: CommitTable): Promise<void> {
  const listed = (await readManifestList(bytes, key)).map((m) => m.path.slice(m.path.lastIndexOf("/snapshots/") + 1)).sort();
  const expected = table.files.map((f) => f.manifestKey).sort();
  if (listed.length !== expected.length || listed.some((k, i) => k !== expected[i])) {
    throw new CorruptSnapshotError(key, "lists other manifests than the commit");
  }
}

function parseOther(text: string, key: string): OtherCells {
  try {
    const cells = JSON.parse(text) as OtherCells;
    if (typeof cells === "object" && cells !== null) return cells;
  } catch {
    // Reported below with the file.
  }
  throw new CorruptSnapshotError(key, `companion column holds ${JSON.stringify(text.slice(0, 40))}, not tagged values`);
}
