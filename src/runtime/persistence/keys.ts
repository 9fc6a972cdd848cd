import { DEVICE_NAME } from "../storage/keys";

/**
 * Store keys of one object's state, relative to the object's root (the store handed to
 * persistence is already scoped to `{prefix}/org={org}/tenant={tenant}/do/{id}/`).
 */

export const LOCK_KEY = "lock";
export const LATEST_KEY = "snapshots/latest";
export const COMMITS_PREFIX = "snapshots/commits/";
/** The SQLite image a clean stop leaves for the next cold start (see `ObjectPersistence.leaveImage`). */
export const LEFT_IMAGE_KEY = "snapshots/image";
/** The commit the next session starts from (`onNextSessionRestoreBookmark`), until it has. */
export const RESTORE_REQUEST_KEY = "snapshots/restore-request";

/** The write-ahead log: one create-only entry per commit batch (see log/). */
export const LOG_PREFIX = "log/";

/** Zero-padded so listing order is numeric order. */
export function logKey(position: number): string {
  return `${LOG_PREFIX}${String(position).padStart(12, "0")}`;
}

/** The position of a log key, or null for any other key. */
export function positionOfLogKey(key: string): number | null {
  const match = /^log\/(\d{12})$/.exec(key);
  return match ? Number(match[1]) : null;
}

/** Zero-padded so listing order is numeric order. */
export function commitKey(sequence: number): string {
  return `${COMMITS_PREFIX}${String(sequence).padStart(12, "0")}.json`;
}

/** The sequence number of a commit key, or null for any other key. */
export function sequenceOfCommitKey(key: string): number | null {
  const match = /^snapshots\/commits\/(\d{12})\.json$/.exec(key);
  return match ? Number(match[1]) : null;
}

/** Folder of the files one checkpoint writes; the uuid keeps a losing writer's files apart. */
export function checkpointFolder(sequence: number, uuid: string): string {
  return `snapshots/seq-${sequence}-${uuid}`;
}

/**
 * A table name as one key segment that is also safe, unencoded, inside a URL: letters,
 * digits, `_` and `-` stay; any other character becomes `~{hex code point}~`, and so does the
 * last letter of a name Windows reserves for a device (a table called `aux` is `au~78~`).
 */
export function tableSlug(table: string): string {
  const slug = [...table].map((ch) => (/[A-Za-z0-9_-]/.test(ch) ? ch : `~${ch.codePointAt(0)!.toString(16)}~`)).join("");
  return DEVICE_NAME.test(slug) ? `${slug.slice(0, -1)}~${slug.codePointAt(slug.length - 1)!.toString(16)}~` : slug;
}

export function dataFileKey(folder: string, slug: string, index: number): string {
  return `${folder}/data/${slug}-${index}.parquet`;
}

export function manifestKey(folder: string, slug: string, index: number): string {
  return `${folder}/manifests/${slug}-${index}-m0.avro`;
}

export function manifestListKey(folder: string, slug: string): string {
  return `${folder}/manifests/snap-${slug}.avro`;
}

/** The folder of a table's metadata files and version hint. */
export function tableMetadataPrefix(slug: string): string {
  return `tables/${slug}/metadata/`;
}

export function tableMetadataKey(slug: string, version: number): string {
  return `${tableMetadataPrefix(slug)}v${version}.metadata.json`;
}

/** The version of a `…/metadata/v{N}.metadata.json` key or location, or null for anything else. */
export function metadataVersionOf(location: string): number | null {
  const match = /\/metadata\/v(\d+)\.metadata\.json$/.exec(location);
  return match ? Number(match[1]) : null;
}

export function versionHintKey(slug: string): string {
  return `${tableMetadataPrefix(slug)}version-hint.text`;
}

/** A pack of SQLite image chunks that one checkpoint uploaded (see image.ts). */
export function imagePackKey(folder: string, index: number): string {
  return `${folder}/image/pack-${index}.bin`;
}
