import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFaultyProxy, type Fault, type FaultyProxy } from "../helpers/faulty-proxy";
import { startS3, type S3TestServer } from "../helpers/s3";
import { buildLedger, killHard, lostWrites, startLedger, writeLoad } from "./ledger";

let ledger: Awaited<ReturnType<typeof buildLedger>>;
let s3: S3TestServer;
let proxy: FaultyProxy;

beforeAll(async () => {
  [ledger, s3] = await Promise.all([buildLedger(), startS3("faults")]);
  proxy = await startFaultyProxy(s3.endpoint);
});
afterAll(async () => {
  ledger?.remove();
  await proxy?.close();
  await s3?.close();
});

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** The server's resident memory in MiB (Linux). */
function rssMiB(pid: number, output: () => string): number {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    throw new Error(`the server exited:\n${output()}`);
  }
  const line = status.split("\n").find((l) => l.startsWith("VmRSS:"));
  return Number(/(\d+)/.exec(line ?? "")?.[1] ?? 0) / 1024;
}

/** The ledger's settings for the S3 server, reached through the faulty proxy, under `prefix`. */
function throughProxy(prefix: string): Record<string, string> {
  return { DOTDO_STORAGE: `s3://${s3.bucket}/${prefix}`, R2_ENDPOINT: proxy.url, R2_ACCESS_KEY_ID: s3.accessKeyId, R2_SECRET_ACCESS_KEY: s3.secretAccessKey };
}

describe("a store that fails in every way a network can", () => {
  it("loses no acknowledged write, never fences itself, refuses writes while the store is down and serves again after", async () => {
    const env = throughProxy("faults");
    const server = await startLedger(ledger.dir, env);
    const load = writeLoad(server.url, "hot", 32, 0);
    const figures: string[] = [];
    try {
      // 15 % of requests misbehave, one kind of fault at a time.
      const faults: Fault[] = ["500", "503-slowdown", "reset", "slow", "truncate", "lose-put-answer", "hang"];
      for (const fault of faults) {
        const before = load.acknowledged.length;
        proxy.set(fault, 0.15);
        await sleep(3_000);
        figures.push(`${fault}: ${load.acknowledged.length - before} acknowledged`);
      }
      proxy.set("none");
      await sleep(1_000);

      // A 20 s outage: every request to the store is reset.
      const outageStart = Date.now();
      proxy.set("down");
      let peakRss = 0;
      let ready = 0;
      while (Date.now() - outageStart < 20_000) {
        await sleep(1_000);
        peakRss = Math.max(peakRss, rssMiB(server.child.pid!, server.output));
        if ((await fetch(`${server.url}/__dotdo/ready`)).status === 200) ready++;
      }
      const outageEnd = Date.now();
      proxy.set("none");
      // Nothing can be stored during the outage, so nothing may be acknowledged in it (an
      // answer already on its way as it began gets half a second).
      const acknowledgedInOutage = load.acknowledgedAt.filter((at) => at > outageStart + 500 && at < outageEnd).length;
      const backAt = await (async () => {
        for (;;) {
          const count = load.acknowledgedAt.filter((at) => at >= outageEnd).length;
          if (count > 0) return load.acknowledgedAt.find((at) => at >= outageEnd)!;
          if (Date.now() - outageEnd > 60_000) return null;
          await sleep(100);
        }
      })();
      figures.push(`outage: ${acknowledgedInOutage} acknowledged, ready ${ready} of 20 probes, peak RSS ${peakRss.toFixed(0)} MiB, writes back ${backAt === null ? "never" : `${backAt - outageEnd} ms`} after`);
      await sleep(2_000);
      await load.stop();
      console.log(figures.join("\n"));
      expect(server.child.exitCode, server.output()).toBeNull();
      expect(acknowledgedInOutage).toBe(0);
      expect(ready).toBeLessThanOrEqual(2);
      expect(backAt).not.toBeNull();
      expect(peakRss).toBeLessThan(1_024);
      expect(load.acknowledged.length).toBeGreaterThan(500);
    } finally {
      await load.stop();
      await killHard(server);
    }
    expect(server.output()).not.toMatch(/FENCED/);

    // A fresh process on the healthy store has every acknowledged write.
    expect(await lostWrites(ledger.dir, env, load.acknowledged)).toEqual([]);
  });

  it("SIGTERM while the store is down retries the final checkpoint for the grace period, then exits 0: the log holds every acknowledged write", async () => {
    const commits = () => s3.requests.filter((r) => r.method === "PUT" && /\/sigterm\/do\/[0-9a-f]+\/snapshots\/commits\//.test(r.path)).length;
    for (const storeReturns of [true, false]) {
      const env = { ...throughProxy("sigterm"), DOTDO_STOP_GRACE_MS: "3000" };
      proxy.set("none");
      const server = await startLedger(ledger.dir, env);
      const load = writeLoad(server.url, "hot", 8, storeReturns ? 0 : 1_000_000);
      await sleep(1_500);
      await load.stop();
      const before = commits();
      proxy.set("down");
      // Killed only past Kubernetes' default grace period (30 s), what a stop must stay within:
      // the harness's 10 s was a timing assertion on a loaded machine (once exceeded in CI).
      const stopped = server.stop(30_000);
      // Back within the grace period: the retried final checkpoint lands.
      if (storeReturns) setTimeout(() => proxy.set("none"), 1_000);
      const code = await stopped;
      proxy.set("none");
      expect(code, server.output()).toBe(0);
      expect(commits() - before).toBe(storeReturns ? 1 : 0);
      if (!storeReturns) expect(server.output()).toMatch(/dotdo persistence/);
      expect(load.acknowledged.length).toBeGreaterThan(0);
      expect(await lostWrites(ledger.dir, env, load.acknowledged)).toEqual([]);
    }
  }, 120_000);
});
