import { DotdoError } from "../errors";
import type { SqliteDatabase } from "../sqlite/types";
import { BOOKMARK_KEY, readMetadata, writeMetadata } from "./alarm-store";

/**
 * Point-in-time recovery (`getBookmarkForTime`, `onNextSessionRestoreBookmark`) is not
 * implemented, as in workerd outside Cloudflare: those calls fail with this error, with
 * workerd's message; `name` is `Error` for parity.
 */
export class BookmarksUnsupportedError extends DotdoError {
  override name = "Error";

  constructor() {
    super("BOOKMARKS_UNSUPPORTED", "This Durable Object's storage back-end does not implement point-in-time recovery.");
  }
}

export function pointInTimeRecoveryUnsupported(): Promise<never> {
  return Promise.reject(new BookmarksUnsupportedError());
}

/**
 * workerd's local bookmark (its "ersatz" one, enough for D1's Sessions API): a counter kept in
 * the object's metadata, so that each bookmark sorts after every earlier one, also after a
 * restart; written in Cloudflare's format.
 */
export function nextBookmark(db: SqliteDatabase): string {
  const previous = readMetadata(db, BOOKMARK_KEY);
  const bookmark = previous === null ? 0 : previous + 1;
  writeMetadata(db, BOOKMARK_KEY, bookmark);
  const hex = (n: number) => n.toString(16).padStart(8, "0");
  const UINT32_MAX = 0xffffffff;
  return `${hex(Math.floor(bookmark / UINT32_MAX))}-${hex(bookmark % UINT32_MAX)}-${hex(0)}-${"0".repeat(32)}`;
}
