import { InvalidArgumentError } from "./errors";
import type { ByteRange, ObjectInfo, StoredObject } from "./types";

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
