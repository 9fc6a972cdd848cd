import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "pathe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLedger, killHard, lostWrites, startLedger, writeLoad } from "./ledger";

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const mountPoint = mkdtempSync(join(tmpdir(), "dotdo-disk-"));
const mount = (...args: string[]) => spawnSync("mount", args, { encoding: "utf8" });
/**
 * Remounts with `options`, trying again for up to 5 s: the kernel refuses to make a file system
 * read-only (EBUSY) while a file on it is open for writing, as one of the server's is now and then.
 */
async function remount(options: string): Promise<ReturnType<typeof mount>> {
  for (const until = Date.now() + 5_000; ; await sleep(20)) {
    const result = mount("-o", `remount,${options}`, mountPoint);
    if (result.status === 0 || Date.now() > until) return result;
  }
}
// A small tmpfs is a disk that fills up and can be made read-only. Mounting needs root (CI and
// developers run as root here); elsewhere the test cannot build its disk and is skipped.
const mounted = mount("-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint).status === 0;
let ledger: Awaited<ReturnType<typeof buildLedger>>;

beforeAll(async () => {
  if (mounted) ledger = await buildLedger();
});
afterAll(() => {
  ledger?.remove();
  if (mounted) spawnSync("umount", [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

describe.skipIf(!mounted)("a file store whose disk fills up, then turns read-only", () => {
  it("refuses writes with a clear error, acknowledges none it could not store, and loses none it acknowledged", async () => {
    const env = { DOTDO_STORAGE: `file:${join(mountPoint, "state")}`, DOTDO_STORE_DEADLINE_MS: "1000" };
    const server = await startLedger(ledger.dir, env);
    const load = writeLoad(server.url, "hot", 8, 0);
    try {
      // The log (and its checkpoints) fill 2 MiB; then every write is refused.
      for (let waited = 0; !load.refused.has(503) && waited < 60_000; waited += 200) await sleep(200);
      expect(load.refused.get(503), server.output()).toBeGreaterThan(0);
      const full = load.acknowledged.length;
      await sleep(1_000);
      // Room again, but read-only: still refused.
      const readOnly = await remount("ro,size=64m");
      expect(readOnly.status, readOnly.stderr).toBe(0);
      const refusedBefore = load.refused.get(503) ?? 0;
      await sleep(2_000);
      expect((load.refused.get(503) ?? 0) - refusedBefore, JSON.stringify([...load.refused]) + server.output().slice(-3_000)).toBeGreaterThan(0);
      console.log(`disk: ${full} acknowledged before the disk filled, ${load.acknowledged.length - full} after; refused ${JSON.stringify([...load.refused])}`);
      expect(server.output()).toMatch(/ENOSPC|no space left/);
      expect(server.output()).toMatch(/EROFS|read-only file system/);
    } finally {
      await load.stop();
      await killHard(server);
    }
    expect(mount("-o", "remount,rw", mountPoint).status).toBe(0);
    expect(await lostWrites(ledger.dir, env, load.acknowledged)).toEqual([]);
  });
});
