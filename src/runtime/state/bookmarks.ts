import { errorWithCode } from "../errors";

/**
 * workerd's point-in-time recovery API (`getCurrentBookmark`, `getBookmarkForTime`,
 * `onNextSessionRestoreBookmark`, `waitForBookmark`) is not implemented: each call fails
 * with this error, naming the method (docs/compat.md, "Not implemented").
 */
export class BookmarksUnsupportedError extends errorWithCode("BOOKMARKS_UNSUPPORTED") {}

export function bookmarksUnsupported(method: string): Promise<never> {
  return Promise.reject(
    new BookmarksUnsupportedError(
      `storage.${method}() is not supported off Cloudflare: dotdo's runtime has no point-in-time recovery bookmarks yet (docs/compat.md)`,
    ),
  );
}
