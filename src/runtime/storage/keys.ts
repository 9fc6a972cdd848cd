import { InvalidArgumentError, InvalidKeyError } from "./errors";
import type { ListOptions } from "./types";

/** S3's limit, kept everywhere so that a key valid on one backend is valid on all. */
const MAX_KEY_BYTES = 1024;
const MAX_PAGE = 1000;

/** Throws `InvalidKeyError` unless `key` is safe as both an object key and a relative path. */
export function assertValidKey(key: string): void {
  if (typeof key !== "string" || key === "") throw new InvalidKeyError(String(key), "empty");
  assertSafeCharacters(key);
  for (const segment of key.split("/")) assertValidSegment(key, segment);
}

/** A list prefix: like a key, except it may be empty, end in `/` or end mid-segment. */
export function assertValidPrefix(prefix: string): void {
  if (typeof prefix !== "string") throw new InvalidKeyError(String(prefix), "not a string");
  if (prefix === "") return;
  assertSafeCharacters(prefix);
  for (const segment of prefix.split("/").slice(0, -1)) assertValidSegment(prefix, segment);
}

/** The page size a list call asked for, checked; 1000 when not given. */
export function pageLimit(options: ListOptions | undefined): number {
  const limit = options?.limit ?? MAX_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new InvalidArgumentError(`list limit must be an integer from 1 to ${MAX_PAGE}, got ${limit}`);
  }
  return limit;
}

function assertSafeCharacters(key: string): void {
  if (key.includes("\0")) throw new InvalidKeyError(key, "contains NUL");
  if (key.includes("\\")) throw new InvalidKeyError(key, "contains a backslash");
  if (key.startsWith("/")) throw new InvalidKeyError(key, "is absolute (starts with /)");
  if (new TextEncoder().encode(key).length > MAX_KEY_BYTES) {
    throw new InvalidKeyError(key, `longer than ${MAX_KEY_BYTES} bytes`);
  }
}

function assertValidSegment(key: string, segment: string): void {
  if (segment === "") throw new InvalidKeyError(key, "has an empty path segment");
  if (segment === "." || segment === "..") throw new InvalidKeyError(key, `has a "${segment}" segment`);
  const problem = unportableSegment(segment);
  if (problem) throw new InvalidKeyError(key, problem);
}

const MAX_SEGMENT_BYTES = 255;
/** Names Windows keeps for devices, with or without an extension. */
export const DEVICE_NAME = /^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])(\..*)?$/i;

/**
 * Why a path segment would not name one file on every file system (stores on other machines,
 * a bucket copied to a laptop), or null. Windows drops trailing dots and spaces and reserves
 * device names, so `a.` and `a` or `con` and a device would meet; no file system takes a name
 * over 255 bytes. The one key policy of every store and of scoped keys (auth/path.ts).
 */
export function unportableSegment(segment: string): string | null {
  if (new TextEncoder().encode(segment).length > MAX_SEGMENT_BYTES) return `has a segment longer than ${MAX_SEGMENT_BYTES} bytes`;
  if (/[. ]$/.test(segment)) return `has a segment ending in a dot or a space (${JSON.stringify(segment)}), which Windows drops`;
  if (DEVICE_NAME.test(segment)) return `has a segment Windows reserves for a device (${JSON.stringify(segment)})`;
  return null;
}
