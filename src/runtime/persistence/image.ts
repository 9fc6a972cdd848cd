import { concatBytes } from "../bytes";
import { sha256Hex } from "../sha256";
import type { ObjectStore } from "../storage/types";
import { CorruptSnapshotError } from "./errors";
import { imagePackKey } from "./keys";

/**
 * Bytes per image chunk, the unit of change detection. A one-row change rewrites the chunk of
 * page 1 (SQLite bumps its change counter on every write) and the chunk of the changed leaf
 * page, so a checkpoint uploads about two chunks: 64 KiB keeps that under 5 % of a 100k-row
 * snapshot.
 */
export const IMAGE_CHUNK_BYTES = 64 * 1024;
/** A new pack is cut at this size, so no single upload outgrows what a store accepts. */
const PACK_LIMIT_BYTES = 64 * 1024 * 1024;
/** A restore reads through gaps up to this size in a pack rather than split the read. */
const READ_GAP_BYTES = 256 * 1024;

/** A pack: the chunks one checkpoint uploaded, concatenated in one object. */
export interface ImagePack {
  key: string;
  bytes: number;
}

/**
 * The SQLite file image a commit holds beside its tables. The image is cut into fixed chunks;
 * a checkpoint uploads the chunks the previous image does not hold as one pack, so a restore
 * reads a few large ranges instead of one object per chunk.
 */
export interface CommitImage {
  /** SHA-256 (hex) of the whole image: one check for an image at hand, where a chunk's costs a call each. */
  hash: string;
  bytes: number;
  chunkBytes: number;
  /** SHA-256 (hex) of each chunk, in image order: tells an unchanged chunk, and checks a read. */
  chunks: string[];
  /** Where each chunk's bytes are: `[index into packs, offset in that pack]`. */
  at: [number, number][];
  /** Oldest first. */
  packs: ImagePack[];
}

/** An image placed in packs, with the packs still to upload. */
export interface PendingImage {
  image: CommitImage;
  uploads: { key: string; bytes: Uint8Array }[];
}

interface Place {
  pack: ImagePack;
  offset: number;
  length: number;
}

/**
 * Places `bytes` in packs. Chunks the previous image holds stay where they are; the others go
 * into new packs under `folder`. Packs are merged size-tiered, like an LSM tree: newest first,
 * a pack joins the new one while it serves no more bytes than the new one already holds, so
 * sizes roughly double from newest to oldest, an image spans O(log n) packs and a chunk is
 * rewritten O(log n) times. A pack more than half dead joins too, so a restore never reads
 * much more than the image. The bytes come from the image itself: merging never reads a pack.
 */
export async function packImage(bytes: Uint8Array, previous: CommitImage | undefined, folder: string): Promise<PendingImage> {
  const chunkBytes = IMAGE_CHUNK_BYTES;
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += chunkBytes) pieces.push(bytes.subarray(at, at + chunkBytes));
  const hashes = await Promise.all(pieces.map(sha256Hex));
  const stored = previous && isImage(previous) && previous.chunkBytes === chunkBytes ? placesOf(previous) : new Map<string, Place>();

  // What each previous pack would still serve, and the bytes no previous pack holds.
  const served = new Map<ImagePack, number>();
  let freshBytes = 0;
  const seen = new Set<string>();
  hashes.forEach((hash, i) => {
    if (seen.has(hash)) return;
    seen.add(hash);
    const place = stored.get(hash);
    if (place) served.set(place.pack, (served.get(place.pack) ?? 0) + place.length);
    else freshBytes += pieces[i]!.length;
  });
  const kept = keptPacks(previous?.packs ?? [], served, freshBytes);

  const packs = [...kept];
  const uploads: PendingImage["uploads"] = [];
  const placed = new Map<string, [number, number]>();
  let current: Uint8Array[] = [];
  let currentBytes = 0;
  const cut = () => {
    if (currentBytes === 0) return;
    const pack = { key: imagePackKey(folder, uploads.length), bytes: currentBytes };
    uploads.push({ key: pack.key, bytes: concatBytes(current, currentBytes) });
    packs.push(pack);
    current = [];
    currentBytes = 0;
  };
  const at = hashes.map((hash, i): [number, number] => {
    const known = placed.get(hash);
    if (known) return known;
    const place = stored.get(hash);
    let where: [number, number];
    if (place && kept.includes(place.pack)) {
      where = [kept.indexOf(place.pack), place.offset];
    } else {
      if (currentBytes + pieces[i]!.length > PACK_LIMIT_BYTES) cut();
      where = [packs.length, currentBytes];
      current.push(pieces[i]!);
      currentBytes += pieces[i]!.length;
    }
    placed.set(hash, where);
    return where;
  });
  cut();
  return { image: { hash: await sha256Hex(bytes), bytes: bytes.length, chunkBytes, chunks: hashes, at, packs }, uploads };
}

/** The previous packs the new image keeps referencing (see `packImage`), in their order. */
function keptPacks(previous: ImagePack[], served: Map<ImagePack, number>, freshBytes: number): ImagePack[] {
  const kept: ImagePack[] = [];
  let merged = freshBytes;
  let merging = freshBytes > 0;
  for (const pack of [...previous].reverse()) {
    const bytes = served.get(pack);
    if (bytes === undefined) continue;
    if ((merging && bytes <= merged) || bytes * 2 < pack.bytes) {
      merged += bytes;
    } else {
      merging = false;
      kept.unshift(pack);
    }
  }
  return kept;
}

/** Where each chunk of `image` is, by hash. */
function placesOf(image: CommitImage): Map<string, Place> {
  const places = new Map<string, Place>();
  image.chunks.forEach((hash, i) => {
    const [pack, offset] = image.at[i]!;
    places.set(hash, { pack: image.packs[pack]!, offset, length: chunkLength(image, i) });
  });
  return places;
}

/** One read of a restore: a range of a pack and the chunks in it. */
interface PackRead {
  pack: ImagePack;
  offset: number;
  length: number;
  chunks: { at: number; length: number; hash: string; indexes: number[] }[];
}

/** An image's bytes, and the check of every chunk against its hash, which may still be running. */
export interface ImageRead {
  bytes: Uint8Array;
  checked: Promise<void>;
  /** Every chunk came from `have` (see `readImage`): those bytes are this image. */
  fromHave: boolean;
  /** When `bytes` are `have` taken whole before its check: the read to use if `checked` rejects. */
  fallback?: () => Promise<ImageRead>;
}

/**
 * Reads an image with one ranged GET per run of live chunks in each pack, all at once. Each
 * chunk's hash is checked as its read arrives, on the runtime's crypto threads, so the caller
 * can open the bytes meanwhile. A missing pack or a short read rejects, a wrong hash rejects
 * `checked`: a `CorruptSnapshotError` naming the pack. `have`, bytes that may hold some of the
 * image (an image left by a clean stop, or inline in the hint), provides every chunk whose hash
 * it matches at the same place: only the others are read. As it usually holds all of them, a
 * `have` big enough is returned at once, checked while the caller opens it, with the read of
 * the missing chunks as `fallback`.
 */
export async function readImage(store: ObjectStore, image: CommitImage, commitKey: string, have?: Uint8Array): Promise<ImageRead> {
  if (!isImage(image)) throw new CorruptSnapshotError(commitKey, "its image record is malformed");
  if (!have) return readMissing(store, image, have, new Set());
  if (have.length < image.bytes) return readMissing(store, image, have, await heldChunks(image, have));
  const bytes = have.subarray(0, image.bytes);
  const checked = sha256Hex(bytes).then((hash) => {
    if (hash !== image.hash) throw new CorruptSnapshotError(commitKey, "the image at hand is not this commit's");
  });
  checked.catch(() => undefined);
  return { bytes, checked, fromHave: true, fallback: async () => readMissing(store, image, have, await heldChunks(image, have)) };
}

/** The image from the chunks `have` holds and reads of the others. */
async function readMissing(store: ObjectStore, image: CommitImage, have: Uint8Array | undefined, held: Set<number>): Promise<ImageRead> {
  const reads = readsOf(image, held);
  const fetched = await Promise.all(reads.map((read) => readPack(store, read)));
  // A pack laid out as the image (a first checkpoint's) becomes the image: only the chunks
  // of later packs are copied in, over its dead ones. A store's answer is the caller's to keep.
  const base = reads.findIndex(
    (read) => read.offset === 0 && read.length === image.bytes && read.chunks.every((c) => c.indexes.some((i) => i * image.chunkBytes === c.at)),
  );
  const bytes = base >= 0 ? fetched[base]!.body : new Uint8Array(image.bytes);
  for (const index of held) bytes.set(have!.subarray(index * image.chunkBytes, index * image.chunkBytes + chunkLength(image, index)), index * image.chunkBytes);
  reads.forEach((read, r) => {
    for (const chunk of read.chunks) {
      const piece = fetched[r]!.body.subarray(chunk.at - read.offset, chunk.at - read.offset + chunk.length);
      for (const index of chunk.indexes) if (r !== base || index * image.chunkBytes !== chunk.at) bytes.set(piece, index * image.chunkBytes);
    }
  });
  return { bytes, checked: Promise.all(fetched.map((f) => f.checked)).then(() => undefined), fromHave: false };
}

/** The indexes of the chunks `have` holds at their place in `image`. */
async function heldChunks(image: CommitImage, have: Uint8Array): Promise<Set<number>> {
  const { chunkBytes } = image;
  const matches = await Promise.all(
    image.chunks.map(async (hash, i) => {
      const end = i * chunkBytes + chunkLength(image, i);
      return end <= have.length && (await sha256Hex(have.subarray(i * chunkBytes, end))) === hash;
    }),
  );
  return new Set(matches.flatMap((match, i) => (match ? [i] : [])));
}

async function readPack(store: ObjectStore, read: PackRead): Promise<{ body: Uint8Array; checked: Promise<void> }> {
  const whole = read.offset === 0 && read.length === read.pack.bytes;
  const object = await store.get(read.pack.key, whole ? {} : { range: { offset: read.offset, length: read.length } });
  if (!object) throw new CorruptSnapshotError(read.pack.key, "missing");
  const body = object.body;
  if (body.length !== read.length) throw new CorruptSnapshotError(read.pack.key, `holds ${body.length} bytes at ${read.offset}, the commit expects ${read.length}`);
  // Digests copy their input when called, so the bytes may change after this turn.
  const checked = Promise.all(
    read.chunks.map(async (chunk) => {
      const piece = body.subarray(chunk.at - read.offset, chunk.at - read.offset + chunk.length);
      if ((await sha256Hex(piece)) !== chunk.hash) throw new CorruptSnapshotError(read.pack.key, `its bytes at ${chunk.at} do not match their hash`);
    }),
  ).then(() => undefined);
  // Awaited by whoever uses the bytes; unheard if another read fails first.
  checked.catch(() => undefined);
  return { body, checked };
}

/** The reads of the chunks not `held`, grouped by place and coalesced per pack. */
function readsOf(image: CommitImage, held: Set<number>): PackRead[] {
  const byPlace = new Map<string, PackRead["chunks"][number] & { pack: number }>();
  image.chunks.forEach((hash, i) => {
    if (held.has(i)) return;
    const [pack, at] = image.at[i]!;
    const id = `${pack}:${at}`;
    const chunk = byPlace.get(id) ?? { pack, at, length: chunkLength(image, i), hash, indexes: [] };
    chunk.indexes.push(i);
    byPlace.set(id, chunk);
  });
  const reads: PackRead[] = [];
  const sorted = [...byPlace.values()].sort((a, b) => a.pack - b.pack || a.at - b.at);
  for (const chunk of sorted) {
    const last = reads.at(-1);
    const pack = image.packs[chunk.pack]!;
    if (last && last.pack === pack && chunk.at - (last.offset + last.length) <= READ_GAP_BYTES) {
      last.length = chunk.at + chunk.length - last.offset;
      last.chunks.push(chunk);
    } else {
      reads.push({ pack, offset: chunk.at, length: chunk.length, chunks: [chunk] });
    }
  }
  return reads;
}

/** The pack keys a commit references (for expiry). */
export function imageKeysOf(image: CommitImage | undefined): string[] {
  return image && isImage(image) ? image.packs.map((p) => p.key) : [];
}

function chunkLength(image: CommitImage, index: number): number {
  return Math.min(image.chunkBytes, image.bytes - index * image.chunkBytes);
}

function isImage(image: CommitImage): boolean {
  if (typeof image !== "object" || image === null) return false;
  const { hash, bytes, chunkBytes, chunks, at, packs } = image;
  return (
    typeof hash === "string" &&
    Number.isSafeInteger(bytes) &&
    Number.isSafeInteger(chunkBytes) &&
    chunkBytes > 0 &&
    Array.isArray(chunks) &&
    chunks.length === Math.ceil(bytes / chunkBytes) &&
    chunks.every((hash) => typeof hash === "string") &&
    Array.isArray(packs) &&
    packs.every((p) => typeof p?.key === "string" && Number.isSafeInteger(p.bytes)) &&
    Array.isArray(at) &&
    at.length === chunks.length &&
    at.every((place, i) => Array.isArray(place) && packs[place[0]] !== undefined && Number.isSafeInteger(place[1]) && place[1] >= 0 &&
      place[1] + chunkLength(image, i) <= packs[place[0]]!.bytes)
  );
}
