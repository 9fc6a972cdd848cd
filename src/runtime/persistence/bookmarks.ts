import { DotdoError, errorWithCode } from "../errors";

/**
 * Point-in-time recovery bookmarks (`getCurrentBookmark`, `getBookmarkForTime`,
 * `onNextSessionRestoreBookmark`) mapped onto checkpoints: a bookmark names one commit of the
 * object, in Cloudflare's format (`xxxxxxxx-xxxxxxxx-xxxxxxxx-` and 32 hex digits), so that
 * later bookmarks sort after earlier ones. The first two groups are the commit's sequence (0:
 * the state before any commit), the third is 0, the last is the start of the object's id: a
 * bookmark of another object is refused. A bookmark is a plain string: it survives restarts
 * and may be passed to another process.
 */

/** A string that is not a bookmark of this object. */
export class BookmarkInvalidError extends DotdoError {
  constructor(bookmark: string, reason: string) {
    super("BOOKMARK_INVALID", `${JSON.stringify(bookmark)} is not a bookmark of this Durable Object: ${reason}`);
  }
}

/** The commit a bookmark names is no longer kept (retention expired it), or none is that old. */
export class BookmarkExpiredError extends errorWithCode("BOOKMARK_EXPIRED") {}

const FORMAT = /^([0-9a-f]{8})-([0-9a-f]{8})-00000000-([0-9a-f]{32})$/;
const UINT32 = 2 ** 32;
const hex = (n: number) => n.toString(16).padStart(8, "0");
const tagOf = (objectId: string) => objectId.toLowerCase().padEnd(32, "0").slice(0, 32);

export function encodeBookmark(sequence: number, objectId: string): string {
  return `${hex(Math.floor(sequence / UINT32))}-${hex(sequence % UINT32)}-00000000-${tagOf(objectId)}`;
}

/** The commit sequence `bookmark` names; `BookmarkInvalidError` if it is not one of this object's. */
export function decodeBookmark(bookmark: string, objectId: string): number {
  const match = FORMAT.exec(bookmark);
  if (!match) throw new BookmarkInvalidError(bookmark, "not in the format xxxxxxxx-xxxxxxxx-00000000-<32 hex digits>");
  if (match[3] !== tagOf(objectId)) throw new BookmarkInvalidError(bookmark, "it was made by another object");
  return Number.parseInt(match[1]!, 16) * UINT32 + Number.parseInt(match[2]!, 16);
}
