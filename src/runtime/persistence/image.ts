// The SQLite image a commit holds: its record, and what writing (image-pack.ts) and reading
// (image-read.ts) share.

/**
 * Bytes per image chunk, the unit of change detection. A one-row change rewrites the chunk of
 * page 1 (SQLite bumps its change counter on every write) and the chunk of the changed leaf
 * page, so a checkpoint uploads about two chunks: 64 KiB keeps that under 5 % of a 100k-row
 * snapshot.
 */
export const IMAGE_CHUNK_BYTES = 64 * 1024;

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

/** The pack keys a commit references (for expiry). */
export function imageKeysOf(image: CommitImage | undefined): string[] {
  return image && isImage(image) ? image.packs.map((p) => p.key) : [];
}

/** The length of chunk `index`: the chunk size, but the last may be shorter. */
export function chunkLength(image: CommitImage, index: number): number {
  return Math.min(image.chunkBytes, image.bytes - index * image.chunkBytes);
}

/** Whether a record read from a commit is a well-formed image record. */
export function isImage(image: CommitImage): boolean {
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
