import { open, readFile, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { hasCode, ignoreCode } from "./fs-errors";

export interface LockOptions {
  /** A lock file older than this is taken to be left by a crashed process. */
  staleMs: number;
}

/** Locks are held for milliseconds; one this old whose process is gone was left behind. */
const DEAD_HOLDER_GRACE_MS = 1_000;

interface Holder {
  pid: number;
  host: string;
  nonce: string;
}

/**
 * Runs `fn` holding an exclusive lock shared by every process on this machine (and on
 * others sharing the folder): the lock is a file created with `O_EXCL`, which the kernel
 * creates for exactly one caller. Holders keep it for milliseconds (a check and a rename),
 * so a lock whose process is gone, or that is older than `staleMs`, is broken.
 */
export async function withFileLock<T>(path: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const holder: Holder = { pid: process.pid, host: hostname(), nonce: randomUUID() };
  await acquire(path, holder, options);
  try {
    return await fn();
  } finally {
    await release(path, holder);
  }
}

async function acquire(path: string, holder: Holder, options: LockOptions): Promise<void> {
  const deadline = Date.now() + 3 * options.staleMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(path, "wx");
      try {
        await handle.writeFile(JSON.stringify(holder));
      } catch (error) {
        // A full disk takes the file but not its content: an empty lock would hold the key
        // until it is stale.
        await unlink(path).catch(ignoreCode("ENOENT"));
        throw error;
      } finally {
        await handle.close();
      }
      return;
    } catch (error) {
      if (!hasCode(error, "EEXIST")) throw error;
    }
    await breakIfStale(path, options);
    if (Date.now() > deadline) throw new Error(`lock ${path} stayed busy for ${3 * options.staleMs} ms`);
    // Jittered backoff so racing processes do not retry in lockstep.
    await new Promise((resolve) => setTimeout(resolve, Math.min(50, 2 + attempt * 2) * Math.random()));
  }
}

async function breakIfStale(path: string, options: LockOptions): Promise<void> {
  let content: string;
  let ageMs: number;
  try {
    [content, ageMs] = await Promise.all([
      readFile(path, "utf8"),
      stat(path).then((s) => Date.now() - s.mtimeMs),
    ]);
  } catch (error) {
    if (hasCode(error, "ENOENT")) return;
    throw error;
  }
  // A dead holder's lock is broken sooner, but not at once: a process in another PID
  // namespace (a container with the same host name) can look dead while it holds the lock.
  const holderDied = ageMs >= Math.min(DEAD_HOLDER_GRACE_MS, options.staleMs) && holderIsGone(content);
  if (ageMs < options.staleMs && !holderDied) return;
  // Re-read just before removing, so a lock re-taken since the first read survives.
  const again = await readFile(path, "utf8").catch(() => undefined);
  if (again === content) await unlink(path).catch(ignoreCode("ENOENT"));
}

/** True when the lock names a process on this host that no longer exists. */
function holderIsGone(content: string): boolean {
  let holder: Partial<Holder>;
  try {
    holder = JSON.parse(content) as Partial<Holder>;
  } catch {
    // Empty or torn: the holder died between creating and writing it, or is writing now;
    // the age check decides.
    return false;
  }
  if (holder.host !== hostname() || typeof holder.pid !== "number") return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return hasCode(error, "ESRCH");
  }
}

async function release(path: string, holder: Holder): Promise<void> {
  const content = await readFile(path, "utf8").catch(() => undefined);
  // Only remove our own lock: if ours was broken as stale, the file is someone else's now.
  if (content === JSON.stringify(holder)) await unlink(path).catch(ignoreCode("ENOENT"));
}
