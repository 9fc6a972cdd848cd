import { concatBytes } from "../bytes";
import { sha256Hex } from "../sha256";
import { chunkLength, IMAGE_CHUNK_BYTES, isImage, type CommitImage, type ImagePack } from "./image";
import { imagePackKey } from "./keys";

/** A new pack is cut at this size, so no single upload outgrows what a store accepts. */
const PACK_LIMIT_BYTES = 64 * 1024 * 1024;

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
