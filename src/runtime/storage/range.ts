import { InvalidArgumentError } from "./errors";
import { assertValidKey } from "./keys";
import type { ByteRange, GetOptions, ObjectInfo, StoredObject } from "./types";

/** Throws `InvalidArgumentError` unless offset and length are non-negative integers. */
export function assertValidRange(range: ByteRange): void {
  const { offset, length } = range;
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new InvalidArgumentError(`range offset must be a non-negative integer, got ${offset}`);
  }
  if (length !== undefined && (!Number.isSafeInteger(length) || length < 0)) {
    throw new InvalidArgumentError(`range length must be a non-negative integer, got ${length}`);
  }
}

/** The bytes of `range` within `bytes`, cut short at the end (a copy). */
export function sliceRange(bytes: Uint8Array, range: ByteRange | undefined): Uint8Array {
  if (!range) return bytes.slice();
  const end = range.length === undefined ? undefined : range.offset + range.length;
  return bytes.slice(range.offset, end);
}

/** The answer to a range that holds no bytes, for backends whose API cannot ask for one. */
export function emptyBody(info: ObjectInfo | null): StoredObject | null {
  return info && { ...info, body: new Uint8Array() };
}

/**
 * `get` for a backend whose API cannot ask for zero bytes (an HTTP `Range` cannot name
 * them; R2 refuses them): the key and range are checked, a zero-length range is answered
 * from `head` like a slice, and every other request is left to `read`.
 */
export async function rangedGet(
  key: string,
  options: GetOptions | undefined,
  head: (key: string) => Promise<ObjectInfo | null>,
  read: (range: ByteRange | undefined) => Promise<StoredObject | null>,
): Promise<StoredObject | null> {
  assertValidKey(key);
  const range = options?.range;
  if (range) assertValidRange(range);
  if (range?.length === 0) return emptyBody(await head(key));
  return read(range);
}

/** The HTTP `Range` header value for a range of at least one byte. */
export function rangeHeader(range: ByteRange): string {
  return `bytes=${range.offset}-${range.length === undefined ? "" : range.offset + range.length - 1}`;
}
