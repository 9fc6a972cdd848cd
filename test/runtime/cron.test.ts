import { afterEach, describe, expect, it, vi } from "vitest";
import { nextTick, parseCron } from "../../src/runtime/cron/schedule";
import { CronTriggers } from "../../src/runtime/cron/triggers";
import { claimCronTick } from "../../src/runtime/persistence/cron-claims";
import { createMemoryStore } from "../../src/runtime/storage/memory";

const at = (iso: string) => new Date(iso).getTime();
const next = (cron: string, after: string) => new Date(nextTick(parseCron(cron), at(after))!).toISOString();

afterEach(() => void vi.useRealTimers());

describe("Cloudflare's cron dialect", () => {
  // The examples of Cloudflare's cron trigger docs; 2026-12-03 is a Thursday.
  it("reads weekdays 1–7 from Sunday, names, L and W, in UTC", () => {
    expect(next("0 17 * * 1", "2026-12-03T11:00:00Z")).toBe("2026-12-06T17:00:00.000Z"); // Sunday
    expect(next("0 17 * * sun", "2026-12-03T11:00:00Z")).toBe("2026-12-06T17:00:00.000Z");
    expect(next("10 7 * * 2-6", "2026-12-04T08:00:00Z")).toBe("2026-12-07T07:10:00.000Z"); // Monday
    expect(next("10 7 * * mon-fri", "2026-12-04T08:00:00Z")).toBe("2026-12-07T07:10:00.000Z");
    expect(next("0 18 * * 6L", "2026-12-03T11:00:00Z")).toBe("2026-12-25T18:00:00.000Z"); // last Friday
    expect(next("59 23 LW * *", "2026-12-03T11:00:00Z")).toBe("2026-12-31T23:59:00.000Z"); // last weekday
    expect(next("*/30 * * * *", "2026-12-03T11:02:00Z")).toBe("2026-12-03T11:30:00.000Z");
  });

  it("refuses what Cloudflare refuses, with CRON_INVALID naming the expression", () => {
    for (const bad of ["0 * * *", "* * * * * *", "61 * * * *", "nonsense"]) {
      expect(() => parseCron(bad)).toThrow(expect.objectContaining({ code: "CRON_INVALID", message: expect.stringContaining(JSON.stringify(bad)) }));
    }
  });
});

describe("cron triggers", () => {
  it("fire every tick once among replicas that share a store (claims are create-only writes)", async () => {
    vi.useFakeTimers({ now: at("2026-12-03T11:00:30Z") });
    const store = createMemoryStore();
    const runs: [string, number, number][] = [];
    const replicas = [0, 1, 2].map(
      (replica) =>
        new CronTriggers({
          crons: ["* * * * *", "*/2 * * * *"],
          run: async (cron, time) => void runs.push([cron, time, replica]),
          claim: (cron, time) => claimCronTick(store, cron, time),
        }),
    );
    for (const replica of replicas) replica.start();
    await vi.advanceTimersByTimeAsync(4 * 60_000);
    // The claims hash with Web Crypto, which settles outside the fake clock: stop waits for them.
    await Promise.all(replicas.map((replica) => replica.stop()));
    const ticks = runs.map(([cron, time]) => `${cron} @ ${new Date(time).toISOString()}`).sort();
    expect(ticks).toEqual([
      "* * * * * @ 2026-12-03T11:01:00.000Z",
      "* * * * * @ 2026-12-03T11:02:00.000Z",
      "* * * * * @ 2026-12-03T11:03:00.000Z",
      "* * * * * @ 2026-12-03T11:04:00.000Z",
      "*/2 * * * * @ 2026-12-03T11:02:00.000Z",
      "*/2 * * * * @ 2026-12-03T11:04:00.000Z",
    ]);
    // Old claims are cleared as new ones are taken: about one key per cron.
    expect((await store.list("crons/")).objects.length).toBe(2);
  });

  it("keep firing after a run throws, and stop when stopped", async () => {
    vi.useFakeTimers({ now: at("2026-12-03T11:00:30Z") });
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    let calls = 0;
    const triggers = new CronTriggers({
      crons: ["* * * * *"],
      run: async () => {
        calls++;
        throw new Error("boom");
      },
    });
    triggers.start();
    await vi.advanceTimersByTimeAsync(2 * 60_000);
    expect(calls).toBe(2);
    expect(errors).toHaveBeenCalledTimes(2);
    await triggers.stop();
    await vi.advanceTimersByTimeAsync(3 * 60_000);
    expect(calls).toBe(2);
    errors.mockRestore();
  });
});
