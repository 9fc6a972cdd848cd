import type { PagesEntry } from "./entry";

/** The page size a SQLite file's header records (offset 16, big-endian; 1 means 65536). */
export function pageSizeOf(image: Uint8Array): number {
  if (image.length < 100) return 4096;
  const size = (image[16]! << 8) | image[17]!;
  if (size === 1) return 65_536;
  // Not a valid header (a power of two from 512): compare in 4 KiB pieces all the same.
  return size >= 512 && (size & (size - 1)) === 0 ? size : 4096;
}

/** The pages of `next` that differ from `base` (a database image before the batch). */
export function diffPages(base: Uint8Array, next: Uint8Array): Pick<PagesEntry, "size" | "pageSize" | "pages" | "data"> {
  const pageSize = pageSizeOf(next);
  const pages: number[] = [];
  for (let offset = 0; offset < next.length; offset += pageSize) {
    if (!samePage(base, next, offset, pageSize)) pages.push(offset / pageSize + 1);
  }
  const data = new Uint8Array(pages.length * pageSize);
  pages.forEach((page, i) => data.set(next.subarray((page - 1) * pageSize, page * pageSize), i * pageSize));
  return { size: next.length, pageSize, pages, data };
}

/** Whether two images hold the same bytes (page by page, as cheap as a diff). */
export function sameImage(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && diffPages(a, b).pages.length === 0;
}

/** `image` with an entry's pages written and its size applied: the database after the batch. */
export function applyPages(image: Uint8Array, entry: Pick<PagesEntry, "size" | "pageSize" | "pages" | "data">): Uint8Array {
  const next = new Uint8Array(entry.size);
  next.set(image.subarray(0, Math.min(image.length, entry.size)));
  entry.pages.forEach((page, i) => {
    const offset = (page - 1) * entry.pageSize;
    if (offset < entry.size) next.set(entry.data.subarray(i * entry.pageSize, (i + 1) * entry.pageSize), offset);
  });
  return next;
}

function samePage(base: Uint8Array, next: Uint8Array, offset: number, pageSize: number): boolean {
  if (offset + pageSize > base.length) return false;
  // Word by word where both views are aligned (sql.js images are whole buffers), else bytes.
  if ((base.byteOffset + offset) % 4 === 0 && (next.byteOffset + offset) % 4 === 0 && pageSize % 4 === 0) {
    const a = new Int32Array(base.buffer, base.byteOffset + offset, pageSize / 4);
    const b = new Int32Array(next.buffer, next.byteOffset + offset, pageSize / 4);
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  for (let i = 0; i < pageSize; i++) if (base[offset + i] !== next[offset + i]) return false;
  return true;
}
