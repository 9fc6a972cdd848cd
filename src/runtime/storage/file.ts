import { createHash, randomUUID } from "node:crypto";
import type { BigIntStats, Dirent } from "node:fs";
import { link, mkdir, open, readdir, rename, rmdir, stat, unlink, writeFile, type FileHandle } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { mapLimit } from "../concurrency";
import { assertPrecondition, CREATE_ONLY } from "./conditions";
import { InvalidKeyError, PreconditionFailedError, StorageConfigError, storageFailure } from "./errors";
import { bodyChunks } from "./body";
import { FileEtagCache } from "./file-etags";
import { withFileLock } from "./file-lock";
import { hasCode, ignoreCode } from "./fs-errors";
import { assertValidKey, assertValidPrefix, pageLimit } from "./keys";
import { assertValidRange, sliceRange } from "./range";
import type {
  ByteRange,
  GetOptions,
  ListOptions,
  ListResult,
  ObjectInfo,
  ObjectStore,
  PutBody,
  PutOptions,
  StoredObject,
} from "./types";

export interface FileStoreOptions {
  /** The folder holding the objects; relative paths resolve against the working directory. */
  root: string;
  /** A per-key lock older than this is taken to be left by a crashed process. Default 10 s. */
  staleLockMs?: number;
  /**
   * Refuse a key with a segment that differs only in case from a stored name (`Acme/x` beside
   * `acme/`), which would be the same file or folder. Default: on when the root's file system
   * ignores case (macOS's and Windows' defaults); turn it on for a folder that will be copied
   * to one.
   */
  caseInsensitive?: boolean;
}

/** Temp files and locks live here, inside the root so renames stay on one file system. */
const INTERNAL_DIR = ".dotdo-store";
/** Temp files this old were left by a crashed writer. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/**
 * Objects as plain files under a folder, at their key's path, so other tools (DuckDB,
 * Iceberg readers) can open them directly.
 * - A write goes to a temp file, is flushed, then renamed into place: a reader sees the old
 *   file or the new one, never part of one.
 * - Create-only writes use `link()`, which fails if the name exists: the kernel decides,
 *   so it holds across processes. Other writes and deletes take a per-key lock file.
 * - The etag is the SHA-256 of the content.
 * A key cannot be both an object and a folder of other keys (`a` and `a/b`).
 */
export async function createFileStore(options: FileStoreOptions | string): Promise<ObjectStore> {
  const { root: rootOption, staleLockMs = 10_000, caseInsensitive: caseOption } = typeof options === "string" ? { root: options } : options;
  const root = resolve(rootOption);
  const url = pathToFileURL(root).href;
  const tmpDir = join(root, INTERNAL_DIR, "tmp");
  const lockDir = join(root, INTERNAL_DIR, "locks");
  await prepareRoot(root, tmpDir, lockDir);
  const caseInsensitive = caseOption ?? (await ignoresCase(tmpDir));
  const etags = new FileEtagCache();

  const pathOf = async (key: string): Promise<string> => {
    assertValidKey(key);
    if (key === INTERNAL_DIR || key.startsWith(`${INTERNAL_DIR}/`)) {
      throw new InvalidKeyError(key, `"${INTERNAL_DIR}/" is reserved by the file store`);
    }
    if (caseInsensitive) await refuseCaseTwin(key);
    return join(root, ...key.split("/"));
  };
  const refuseCaseTwin = async (key: string): Promise<void> => {
    const twin = await caseTwin(root, key);
    if (twin !== undefined) throw new InvalidKeyError(key, `differs only in case from the stored ${JSON.stringify(twin)}, the same name on a case-insensitive file system`);
  };
  const lockPathOf = (key: string) => join(lockDir, createHash("sha256").update(key).digest("hex"));
  const withLock = <T>(key: string, fn: () => Promise<T>) =>
    withFileLock(lockPathOf(key), { staleMs: staleLockMs }, fn);
  /**
   * Runs `fn`, which creates names for `key`, with no case twin of them created meanwhile: the
   * check is made again under a lock that every key able to become its twin takes too (twins
   * share their first segment, case folded), so two writers of `Acme/x` and `acme/y` cannot
   * both pass the check before either has placed its file.
   */
  const withCaseChecked = <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    if (!caseInsensitive) return fn();
    const first = key.split("/", 1)[0]!.toLowerCase();
    return withFileLock(join(lockDir, `case-${createHash("sha256").update(first).digest("hex")}`), { staleMs: staleLockMs }, async () => {
      await refuseCaseTwin(key);
      return fn();
    });
  };
  const conflict = (key: string) =>
    new InvalidKeyError(key, "a file store cannot hold both a key and keys below it (`a` and `a/b`)");

  /** Wraps unexpected file-system errors so callers see the operation and key. */
  const guarded = async <T>(operation: string, key: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw storageFailure(url, operation, key, error);
    }
  };

  const currentEtag = async (path: string): Promise<string | undefined> => {
    const handle = await openExisting(path);
    if (!handle) return undefined;
    try {
      const stats = await handle.stat({ bigint: true });
      return stats.isFile() ? await etags.etagOf(path, stats, () => handle.readFile()) : undefined;
    } finally {
      await handle.close();
    }
  };

  /** Moves a finished temp file to `path`; `create` refuses to replace an existing file. */
  const place = async (key: string, temp: string, path: string, create: boolean): Promise<void> => {
    // A concurrent delete may prune the (then empty) parent folder between our mkdir and
    // the rename; making it again and retrying is enough.
    for (let attempt = 0; ; attempt++) {
      await mkdir(dirname(path), { recursive: true }).catch((error: unknown) => {
        throw hasCode(error, "ENOTDIR", "EEXIST") ? conflict(key) : error;
      });
      try {
        if (create) await link(temp, path);
        else await rename(temp, path);
        // The new name itself must survive a power cut, not only the bytes behind it.
        await syncDirectory(dirname(path));
        return;
      } catch (error) {
        if (hasCode(error, "EEXIST") && create) {
          const existing = await stat(path).catch(() => undefined);
          throw existing?.isDirectory() ? conflict(key) : new PreconditionFailedError(key, CREATE_ONLY);
        }
        if (hasCode(error, "EISDIR", "ENOTDIR", "EEXIST", "ENOTEMPTY")) throw conflict(key);
        if (!hasCode(error, "ENOENT") || attempt >= 5) throw error;
      }
    }
  };

  return {
    url,

    get: (key: string, options?: GetOptions) =>
      guarded("get", key, async (): Promise<StoredObject | null> => {
        const path = await pathOf(key);
        if (options?.range) assertValidRange(options.range);
        const handle = await openExisting(path);
        if (!handle) return null;
        // Everything is read through this one handle: a rename that lands meanwhile
        // replaces the name, not the file we hold open.
        try {
          const stats = await handle.stat({ bigint: true });
          if (!stats.isFile()) return null;
          const size = Number(stats.size);
          let whole: Uint8Array | undefined;
          const readAll = async () => (whole ??= asBytes(await handle.readFile()));
          const etag = await etags.etagOf(path, stats, readAll);
          const range = options?.range;
          const body = !range
            ? await readAll()
            : whole
              ? sliceRange(whole, range)
              : await readRange(handle, size, range);
          return { key, size, etag, body };
        } finally {
          await handle.close();
        }
      }),

    put: (key: string, body: PutBody, options?: PutOptions) =>
      guarded("put", key, async (): Promise<ObjectInfo> => {
        const path = await pathOf(key);
        // The slow part (writing and flushing the bytes) happens before any lock is taken.
        const temp = join(tmpDir, randomUUID());
        try {
          const { stats: written, etag } = await writeFlushed(temp, body);
          await withCaseChecked(key, async () => {
            if (options?.ifNoneMatch === "*") return place(key, temp, path, true);
            await withLock(key, async () => {
              if (options?.ifMatch !== undefined) assertPrecondition(key, options, await currentEtag(path));
              await place(key, temp, path, false);
            });
          });
          etags.remember(path, written, etag);
          return { key, size: Number(written.size), etag };
        } finally {
          await unlink(temp).catch(ignoreCode("ENOENT"));
        }
      }),

    delete: (key: string) =>
      guarded("delete", key, async (): Promise<void> => {
        const path = await pathOf(key);
        await withLock(key, async () => {
          await unlink(path).catch(ignoreCode("ENOENT", "ENOTDIR", "EISDIR"));
          await pruneEmptyParents(root, path);
        });
      }),

    list: (prefix: string, options?: ListOptions) =>
      guarded("list", prefix, async (): Promise<ListResult> => {
        assertValidPrefix(prefix);
        const limit = pageLimit(options);
        const after = options?.cursor;
        const keys = (await listKeys(root, prefix))
          .filter((key) => after === undefined || key > after)
          .sort();
        const page = keys.slice(0, limit);
        const infos = await mapLimit(page, 16, (key) => headOf(key, join(root, ...key.split("/"))));
        // Deleted since the folder was read: skip it as S3 would.
        const objects = infos.filter((info) => info !== null);
        return keys.length > limit ? { objects, cursor: page.at(-1) } : { objects };
      }),

    head: (key: string) => guarded("head", key, async () => headOf(key, await pathOf(key))),
  };

  async function headOf(key: string, path: string): Promise<ObjectInfo | null> {
    const stats = await stat(path, { bigint: true }).catch((error: unknown) => {
      if (hasCode(error, "ENOENT", "ENOTDIR")) return undefined;
      throw error;
    });
    if (!stats?.isFile()) return null;
    const etag = await currentEtag(path);
    return etag === undefined ? null : { key, size: Number(stats.size), etag };
  }
}

/** An open handle on `path`, or `undefined` when there is no file by that name. */
async function openExisting(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, "r");
  } catch (error) {
    if (hasCode(error, "ENOENT", "ENOTDIR", "EISDIR")) return undefined;
    throw error;
  }
}

/** Flushes a folder's entries (a name just linked or renamed into it). */
async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes and flushes a new file as the body arrives, hashing it on the way (the etag is the
 * SHA-256 of the content); its stats identify it after a rename or link.
 */
async function writeFlushed(path: string, body: PutBody): Promise<{ stats: BigIntStats; etag: string }> {
  const handle = await open(path, "wx");
  try {
    const hash = createHash("sha256");
    for await (const chunk of bodyChunks(body)) {
      hash.update(chunk);
      // One write may take only part of a chunk (a disk that is filling up): write the rest.
      for (let offset = 0; offset < chunk.length; ) {
        const { bytesWritten } = await handle.write(chunk, offset);
        if (bytesWritten === 0) throw new Error(`writing ${path} stopped after ${offset} of ${chunk.length} bytes`);
        offset += bytesWritten;
      }
    }
    await handle.sync();
    return { stats: await handle.stat({ bigint: true }), etag: hash.digest("hex") };
  } finally {
    await handle.close();
  }
}

/** Whether the file system under `dir` takes names differing only in case for one. */
async function ignoresCase(dir: string): Promise<boolean> {
  const name = `case-probe-${randomUUID()}`;
  const upper = join(dir, name.toUpperCase());
  await writeFile(upper, "", { flag: "wx" });
  try {
    return (await stat(join(dir, name)).catch(() => undefined)) !== undefined;
  } finally {
    await unlink(upper).catch(ignoreCode("ENOENT"));
  }
}

/**
 * The stored path, if any, that names the same file or folder as `key` on a case-insensitive
 * file system but is spelt differently (`acme/` for `Acme/x`).
 */
async function caseTwin(root: string, key: string): Promise<string | undefined> {
  let dir = root;
  let stored = "";
  for (const segment of key.split("/")) {
    const names = await readdir(dir).catch((error: unknown) => {
      if (hasCode(error, "ENOENT", "ENOTDIR")) return [] as string[];
      throw error;
    });
    const folded = segment.toLowerCase();
    const twin = names.find((name) => name !== segment && name.toLowerCase() === folded);
    if (twin !== undefined) return stored + twin;
    if (!names.includes(segment)) return undefined;
    dir = join(dir, segment);
    stored += `${segment}/`;
  }
  return undefined;
}

/** `range` of a file of `size` bytes, cut short at the end like a slice. */
async function readRange(handle: FileHandle, size: number, range: ByteRange): Promise<Uint8Array> {
  const start = Math.min(range.offset, size);
  const body = new Uint8Array(Math.min(range.length ?? size, size - start));
  for (let read = 0; read < body.length; ) {
    const { bytesRead } = await handle.read(body, read, body.length - read, start + read);
    if (bytesRead === 0) return body.subarray(0, read);
    read += bytesRead;
  }
  return body;
}

async function prepareRoot(root: string, tmpDir: string, lockDir: string): Promise<void> {
  try {
    await mkdir(tmpDir, { recursive: true });
    await mkdir(lockDir, { recursive: true });
  } catch (error) {
    throw new StorageConfigError(
      `Cannot use ${root} as a file store: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const now = Date.now();
  for (const name of await readdir(tmpDir)) {
    const path = join(tmpDir, name);
    const stats = await stat(path).catch(() => undefined);
    if (stats && now - stats.mtimeMs > STALE_TEMP_MS) await unlink(path).catch(ignoreCode("ENOENT"));
  }
}

/** Keys under `root` that start with `prefix`, unsorted; only folders that can match are read. */
async function listKeys(root: string, prefix: string): Promise<string[]> {
  const slash = prefix.lastIndexOf("/");
  const base = prefix.slice(0, slash + 1);
  const namePrefix = prefix.slice(slash + 1);
  const keys: string[] = [];
  const walk = async (dir: string, keyPrefix: string, filter: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (hasCode(error, "ENOENT", "ENOTDIR")) return;
      throw error;
    }
    for (const entry of entries) {
      if (!entry.name.startsWith(filter)) continue;
      if (keyPrefix === "" && entry.name === INTERNAL_DIR) continue;
      const key = keyPrefix + entry.name;
      if (entry.isDirectory()) await walk(join(dir, entry.name), `${key}/`, "");
      else if (entry.isFile()) keys.push(key);
    }
  };
  await walk(base === "" ? root : join(root, ...base.split("/").slice(0, -1)), base, namePrefix);
  return keys;
}

/** Removes folders left empty by a delete, up to (not including) the root. */
async function pruneEmptyParents(root: string, path: string): Promise<void> {
  for (let dir = dirname(path); dir.startsWith(root + sep); dir = dirname(dir)) {
    try {
      await rmdir(dir);
    } catch (error) {
      if (hasCode(error, "ENOTEMPTY", "EEXIST", "ENOENT", "ENOTDIR")) return;
      throw error;
    }
  }
}

/** A plain `Uint8Array` view of a Buffer, so every backend hands out the same type. */
function asBytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
