import type { ObjectStore } from "../storage/types";
import { CorruptSnapshotError } from "./errors";
import { imageChunkKey } from "./keys";

/**
 * Bytes per image chunk. A one-row change rewrites the chunk of page 1 (SQLite bumps its
 * change counter on every write) and the chunk of the changed leaf page, so a checkpoint
 * uploads about two chunks; 64 KiB keeps that under 5 % of a 100k-row snapshot while a 1M-row
 * image is still only ~700 chunks.
 */
export const IMAGE_CHUNK_BYTES = 64 * 1024;

/** The SQLite file image a commit holds beside its tables: content-addressed chunks, in order. */
export interface CommitImage {
  /** SHA-256 of the whole image, hex. */
  hash: string;
  bytes: number;
  chunks: string[];
}

/** An image split and keyed, with the chunks still to upload. */
export interface PendingImage {
  image: CommitImage;
  uploads: { key: string; bytes: Uint8Array }[];
}

/** Splits `bytes` into chunks keyed by their SHA-256; chunks `stored` already holds are not uploaded again. */
export async function splitImage(bytes: Uint8Array, stored: CommitImage | undefined, chunkBytes = IMAGE_CHUNK_BYTES): Promise<PendingImage> {
  const existing = new Set(stored?.chunks ?? []);
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += chunkBytes) pieces.push(bytes.subarray(at, at + chunkBytes));
  const keys = await Promise.all(pieces.map(async (piece) => imageChunkKey(await sha256(piece))));
  const uploads: PendingImage["uploads"] = [];
  const queued = new Set<string>();
  keys.forEach((key, i) => {
    if (existing.has(key) || queued.has(key)) return;
    queued.add(key);
    uploads.push({ key, bytes: pieces[i]! });
  });
  return { image: { hash: await sha256(bytes), bytes: bytes.length, chunks: keys }, uploads };
}

/**
 * Fetches an image's chunks in parallel and checks them against the commit: a missing chunk,
 * a wrong size or hash is a `CorruptSnapshotError` naming what is wrong.
 */
export async function fetchImage(store: ObjectStore, image: CommitImage, commitKey: string): Promise<Uint8Array> {
  if (!isImage(image)) throw new CorruptSnapshotError(commitKey, "its image record is malformed");
  const pieces = await Promise.all(
    image.chunks.map(async (key) => {
      const object = await store.get(key);
      if (!object) throw new CorruptSnapshotError(key, "missing");
      return object.body;
    }),
  );
  const total = pieces.reduce((n, p) => n + p.length, 0);
  if (total !== image.bytes) throw new CorruptSnapshotError(commitKey, `its image chunks hold ${total} bytes, the commit says ${image.bytes}`);
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const piece of pieces) {
    bytes.set(piece, at);
    at += piece.length;
  }
  if ((await sha256(bytes)) !== image.hash) throw new CorruptSnapshotError(commitKey, "its image does not match its hash");
  return bytes;
}

/** The image chunk keys a commit references (for expiry). */
export function imageKeysOf(image: CommitImage | undefined): string[] {
  return image && isImage(image) ? image.chunks : [];
}

function isImage(image: CommitImage): boolean {
  return (
    typeof image === "object" &&
    image !== null &&
    typeof image.hash === "string" &&
    Number.isSafeInteger(image.bytes) &&
    Array.isArray(image.chunks) &&
    image.chunks.every((key) => typeof key === "string")
  );
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
