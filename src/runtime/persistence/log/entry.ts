import { sha256 } from "../../sha256";
import { CorruptSnapshotError } from "../errors";

/**
 * One entry of an object's write-ahead log: a commit batch (the database pages it wrote) or
 * a seal (a new holder's mark that every older holder's later appends must collide with).
 */
export type LogEntry = PagesEntry | SealEntry;

interface EntryHeader {
  position: number;
  /** The lease generation of the writer. */
  generation: number;
  timestampMs: number;
  /**
   * The last position its writer knew stored when it took this entry (appends are pipelined):
   * a gap at or before it is damage, one after it an append still in flight or lost. Entries
   * written before appends were pipelined have none: every position before them counts.
   */
  stored: number;
}

/** The pages one batch wrote, as SQLite's own WAL and Litestream record them. */
export interface PagesEntry extends EntryHeader {
  kind: "pages";
  /** The database's size in bytes after the batch (it may shrink). */
  size: number;
  pageSize: number;
  /** 1-based page numbers, ascending; their bytes follow one after another in `data`. */
  pages: number[];
  data: Uint8Array;
}

export interface SealEntry extends EntryHeader {
  kind: "seal";
  holder: string;
}

const MAGIC = new TextEncoder().encode("dotdo-log 1\n");
const CHECKSUM_BYTES = 32;

/** The stored form: magic, a JSON header line, the page bytes, and a SHA-256 of all before it. */
export async function encodeEntry(entry: LogEntry): Promise<Uint8Array> {
  const { data, ...header } = entry.kind === "pages" ? entry : { ...entry, data: new Uint8Array(0) };
  const head = new TextEncoder().encode(`${JSON.stringify(header)}\n`);
  const bytes = new Uint8Array(MAGIC.length + head.length + data.length + CHECKSUM_BYTES);
  bytes.set(MAGIC, 0);
  bytes.set(head, MAGIC.length);
  bytes.set(data, MAGIC.length + head.length);
  const body = bytes.subarray(0, bytes.length - CHECKSUM_BYTES);
  bytes.set(await sha256(body), body.length);
  return bytes;
}

/** Checks and parses a stored entry; anything else is a `CorruptSnapshotError` naming `key`. */
export async function decodeEntry(bytes: Uint8Array, key: string, expectedPosition: number): Promise<LogEntry> {
  const corrupt = (reason: string) => new CorruptSnapshotError(key, reason);
  if (bytes.length < MAGIC.length + CHECKSUM_BYTES || MAGIC.some((byte, i) => bytes[i] !== byte)) {
    throw corrupt("not a dotdo log entry");
  }
  const body = bytes.subarray(0, bytes.length - CHECKSUM_BYTES);
  const digest = await sha256(body);
  if (digest.some((byte, i) => bytes[body.length + i] !== byte)) throw corrupt("checksum mismatch (damaged or cut short)");
  const newline = body.indexOf(10, MAGIC.length);
  /** Any field may be missing or of another type: checked below. */
  let header: { [K in keyof PagesEntry | keyof SealEntry]?: unknown };
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body.subarray(MAGIC.length, newline)));
  } catch (error) {
    throw new CorruptSnapshotError(key, `header is not JSON: ${(error as Error).message}`, { cause: error });
  }
  if (header.position !== expectedPosition || !Number.isSafeInteger(header.generation)) {
    throw corrupt(`not the entry for position ${expectedPosition}`);
  }
  header.stored ??= expectedPosition - 1;
  if (!Number.isSafeInteger(header.stored) || (header.stored as number) >= expectedPosition) throw corrupt("malformed header");
  const data = body.subarray(newline + 1);
  if (header.kind === "seal" && typeof header.holder === "string") return header as unknown as SealEntry;
  const { size, pageSize, pages } = header;
  if (
    header.kind === "pages" &&
    Number.isSafeInteger(size) &&
    Number.isSafeInteger(pageSize) &&
    Array.isArray(pages) &&
    pages.every((page) => Number.isSafeInteger(page) && page > 0) &&
    data.length === pages.length * (pageSize as number)
  ) {
    return { ...(header as unknown as PagesEntry), data };
  }
  throw corrupt("malformed header");
}
