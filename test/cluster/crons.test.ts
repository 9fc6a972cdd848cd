import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "pathe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProject } from "../../src/presets/build/index";
import { freePort, startServer, type RunningServer } from "../presets/harness/process";
import { killHard } from "../reliability/ledger";

const scratch = mkdtempSync(join(tmpdir(), "dotdo-crons-"));
const running: RunningServer[] = [];
let built: string;

beforeAll(async () => {
  built = (await buildProject({ root: resolve(import.meta.dirname, "../fixtures/cron"), preset: "node", outDir: join(scratch, "built") })).outDir;
});
afterAll(async () => {
  await Promise.all(running.map(killHard));
  rmSync(scratch, { recursive: true, force: true });
});

interface Run {
  time: number;
  cron: string;
  by: string;
}

/**
 * A real minute: the fixture's `* * * * *` trigger on two replicas sharing a store. Each tick
 * must run once, on one of them (Cloudflare runs each tick once, wherever).
 */
describe("cron triggers on replicas", () => {
  it("run the Worker's scheduled() once per tick, on one replica, at the whole minute", async () => {
    const ports = [await freePort(), await freePort()];
    const env = { DOTDO_STORAGE: `file:${join(scratch, "store")}`, DOTDO_CLUSTER_SECRET: "the-cron-test-cluster-secret", DOTDO_PEERS: ports.map((port) => `http://127.0.0.1:${port}`).join(",") };
    for (const [i, port] of ports.entries()) {
      running.push(await startServer(process.execPath, [join("server", "index.mjs")], built, { ...env, DOTDO_HOLDER: `r${i}`, DOTDO_ADVERTISE_URL: `http://127.0.0.1:${port}` }, port));
    }
    const runs = async () => (await (await fetch(running[0]!.url)).json()) as Run[];
    let seen: Run[] = [];
    for (const deadline = Date.now() + 75_000; seen.length === 0 && Date.now() < deadline; ) {
      await new Promise((done) => setTimeout(done, 1_000));
      seen = await runs();
    }
    await new Promise((done) => setTimeout(done, 3_000)); // a second replica's run would have landed by now
    seen = await runs();
    expect(seen.length, running.map((server) => server.output()).join("\n")).toBeGreaterThan(0);
    const times = seen.map((run) => run.time);
    expect(new Set(times).size).toBe(times.length);
    for (const run of seen) {
      expect(run.time % 60_000).toBe(0);
      expect(run.cron).toBe("* * * * *");
      expect(["r0", "r1"]).toContain(run.by);
    }
  }, 100_000);
});
