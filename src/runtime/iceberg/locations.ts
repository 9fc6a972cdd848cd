import { InvalidIcebergInputError } from "./errors";

/** V2 metadata holds fully qualified locations (`s3://bucket/key`, `file:///abs/path`, `http://…`). */
export function assertLocation(location: string, what: string): void {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^\s]*[^\s/]$/i.test(location) || /^file:\/\/[^/]/i.test(location)) {
    throw new InvalidIcebergInputError(
      `${what} must be a fully qualified location such as s3://bucket/key or file:///abs/path, got "${location}"`,
    );
  }
}

/** `v{N}.metadata.json`, the name engines look for next to `version-hint.text`. */
export function metadataFileName(version: number): string {
  return `v${version}.metadata.json`;
}

export const VERSION_HINT_FILE = "version-hint.text";
