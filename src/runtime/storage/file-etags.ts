import type { BigIntStats } from "node:fs";
import { contentEtag } from "./etag";

const MAX_ENTRIES = 10_000;

/**
 * Etags of files, remembered by file identity. The file store never changes a file in place
 * (every write renames a new inode over the old one), so inode + size + mtime name one
 * content and its hash needs computing only once per process.
 */
export class FileEtagCache {
  readonly #entries = new Map<string, { identity: string; etag: string }>();

  async etagOf(path: string, stats: BigIntStats, readAll: () => Promise<Uint8Array>): Promise<string> {
    const cached = this.#entries.get(path);
    if (cached?.identity === identityOf(stats)) return cached.etag;
    const etag = await contentEtag(await readAll());
    this.remember(path, stats, etag);
    return etag;
  }

  remember(path: string, stats: BigIntStats, etag: string): void {
    this.#entries.delete(path);
    if (this.#entries.size >= MAX_ENTRIES) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(path, { identity: identityOf(stats), etag });
  }
}

function identityOf(stats: BigIntStats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}`;
}
