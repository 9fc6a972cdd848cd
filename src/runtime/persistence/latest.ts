import { concatBytes } from "../bytes";
import { sha256Hex } from "../sha256";
import type { ObjectStore } from "../storage/types";
import { decodeCommit, encodeCommit, type Commit } from "./commit";
import { CorruptSnapshotError } from "./errors";
import type { ImageRead } from "./image-read";
import { COMMITS_PREFIX, commitKey, LATEST_KEY, LEFT_IMAGE_KEY, sequenceOfCommitKey } from "./keys";

/**
 * Images up to this size ride along in the `latest` hint, so a small object restores in one
 * round trip. Each checkpoint rewrites the hint: this is also what it costs in extra bytes.
 */
export const INLINE_IMAGE_BYTES = 512 * 1024;

/** Whether an image of `bytes` rides in the hint (see `INLINE_IMAGE_BYTES`). */
export function ridesInHint(bytes: number): boolean {
  return bytes <= INLINE_IMAGE_BYTES;
}
/** Commits probed past the `latest` hint in the same round trip (the hint may be stale). */
const PROBE = 1;
const NEWLINE = 0x0a;
/** Hex digits of a SHA-256. */
const SUM_LENGTH = 64;

/** The newest commit, and its image when already read or being read (see `readLatest`). */
export interface LatestCommit {
  commit: Commit;
  image: Promise<ImageRead> | null;
  /** Damage found on the way and gone around (to report), e.g. the newest commit object missing. */
  damage?: CorruptSnapshotError;
}

/**
 * The `latest` hint, written after each commit: the commit's own bytes (JSON never holds a raw
 * newline), a newline, their SHA-256, a newline, then the image if it is at most
 * `INLINE_IMAGE_BYTES`. The checksum lets a restore trust the copy without reading the commit.
 */
export async function encodeHint(commit: Commit, image: Uint8Array | null): Promise<Uint8Array> {
  const json = encodeCommit(commit);
  const sum = new TextEncoder().encode(`\n${await sha256Hex(json)}\n`);
  return concatBytes(image && ridesInHint(image.length) ? [json, sum, image] : [json, sum]);
}

interface Hint {
  sequence: number;
  /** The newest commit as the hint carries it, its checksum checked. */
  copy?: Commit;
  image?: Uint8Array;
}

/** The newest commit, or null for an object never checkpointed. */
export async function readLatestCommit(store: ObjectStore): Promise<Commit | null> {
  return (await readLatest(store))?.commit ?? null;
}

/** Starts reading a commit's image; `have` may already hold some or all of it. */
export type ImagePrefetch = (commit: Commit, have?: Uint8Array) => Promise<ImageRead> | null;

/**
 * The newest commit. Round trip 1 reads the `latest` hint and lists the commit keys at once
 * (and, with `prefetch`, the image a clean stop left). When the listing is complete and ends at
 * the commit the hint carries, that is the newest. Otherwise (a stale or damaged hint, more
 * commits than one listing page) round trip 2 fetches the newest commit known and the next,
 * and so on while newer ones turn up. `prefetch` reads the image meanwhile, taking what it can
 * from the hint's inline image or the left one: with all of it there, the restore needs no
 * other round trip; otherwise the missing chunks come from the packs.
 */
export async function readLatest(store: ObjectStore, prefetch?: ImagePrefetch): Promise<LatestCommit | null> {
  const [stored, listing, left] = await Promise.all([store.get(LATEST_KEY), store.list(COMMITS_PREFIX), prefetch ? store.get(LEFT_IMAGE_KEY) : null]);
  const hint = stored ? await parseHint(stored.body) : null;
  const listed = listing.cursor === undefined ? (listing.objects.map((o) => sequenceOfCommitKey(o.key)).filter((s) => s !== null).at(-1) ?? null) : undefined;
  const copy = hint?.copy;
  const have = hint?.image ?? left?.body;
  if (copy && listed === copy.sequence) return { commit: copy, image: prefetch?.(copy, have) ?? null };
  // The listing ends before the hint's commit: that commit object is gone. Its checksummed copy
  // is as good as the commit; the older one would silently drop every write since.
  if (copy && (listed === null || (listed !== undefined && listed < copy.sequence))) {
    const damage = new CorruptSnapshotError(commitKey(copy.sequence), `missing (the newest listed is ${listed ?? "none"}); restored from its checksummed copy in ${LATEST_KEY}`);
    return { commit: copy, image: prefetch?.(copy, have) ?? null, damage };
  }
  const image = copy && prefetch ? prefetch(copy, have) : null;
  // Awaited when the copy turns out to be the newest commit, dropped when not.
  image?.catch(() => undefined);
  const start = typeof listed === "number" ? listed : (hint?.sequence ?? (listed === null ? null : await listLatestSequence(store)));
  const newest = await findNewest(store, start, typeof listed === "number");
  if (newest === null) return null;
  const { sequence, bytes } = newest;
  if (copy && sequence === copy.sequence) return { commit: copy, image };
  const commit = decodeCommit(bytes, commitKey(sequence), sequence);
  return { commit, image: prefetch?.(commit, have) ?? null };
}

/**
 * Probes from `start` for the newest commit. A start named by a hint that does not exist is
 * resolved by listing; one named by a listing that does not exist is damage: never start empty.
 */
async function findNewest(store: ObjectStore, start: number | null, listed: boolean): Promise<{ sequence: number; bytes: Uint8Array } | null> {
  if (start === null) return null;
  let base = start;
  let newest: { sequence: number; bytes: Uint8Array } | null = null;
  for (;;) {
    const sequences = Array.from({ length: PROBE + 1 }, (_, i) => base + i);
    const found = await Promise.all(sequences.map((s) => store.get(commitKey(s))));
    if (!found[0] && !newest) {
      const fallback = listed ? null : await listLatestSequence(store);
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
    if (i < found.length) return newest;
    base += found.length;
  }
}

/** What a hint holds; null for one that cannot be read (only a hint: the commits are listed instead). */
async function parseHint(bytes: Uint8Array): Promise<Hint | null> {
  const text = new TextDecoder().decode(bytes.subarray(0, 20));
  // Hints written before they carried the commit hold its number only.
  if (/^\d+$/.test(text)) return Number.isSafeInteger(Number(text)) && Number(text) > 0 ? { sequence: Number(text) } : null;
  const end = bytes.indexOf(NEWLINE);
  const json = bytes.subarray(0, end);
  const sum = bytes.subarray(end + 1, end + 1 + SUM_LENGTH);
  if (end < 0 || bytes[end + 1 + SUM_LENGTH] !== NEWLINE || new TextDecoder().decode(sum) !== (await sha256Hex(json))) return null;
  try {
    const { sequence } = JSON.parse(new TextDecoder().decode(json)) as { sequence?: unknown };
    if (typeof sequence !== "number" || !Number.isSafeInteger(sequence) || sequence < 1) return null;
    const image = bytes.subarray(end + 2 + SUM_LENGTH);
    return { sequence, copy: decodeCommit(json, LATEST_KEY, sequence), ...(image.length > 0 && { image }) };
  } catch {
    return null;
  }
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
