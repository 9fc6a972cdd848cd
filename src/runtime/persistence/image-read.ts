import { sha256Hex } from "../sha256";
import type { ObjectStore } from "../storage/types";
import { CorruptSnapshotError } from "./errors";
import { chunkLength, isImage, type CommitImage, type ImagePack } from "./image";

/** A restore reads through gaps up to this size in a pack rather than split the read. */
const READ_GAP_BYTES = 256 * 1024;

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
