import { afterEach, describe, expect, it, vi } from "vitest";
import type { ObjectPersistence } from "../../src/runtime/persistence/object-persistence";
import { Limiter } from "../../src/runtime/concurrency";
import { CheckpointScheduler } from "../../src/runtime/persistence/scheduler";

afterEach(() => {
  vi.useRealTimers();
});

// The scheduler's timing policy alone: its persistence is a stand-in whose lease renewal fails,
// as it does while the store is unreachable (the real store cases are in test/reliability).
function failingPersistence(calls: { renew: number }): ObjectPersistence {
  return {
    renewLease: async () => {
      calls.renew++;
      throw new Error("the store is unreachable");
    },
    pendingChanges: () => 1,
    checkpoint: async () => null,
  } as unknown as ObjectPersistence;
}

describe("checkpoint scheduler", () => {
  it("backs off while the lease cannot be renewed, instead of asking the store in a loop", async () => {
    vi.useFakeTimers();
    const calls = { renew: 0 };
    const errors: unknown[] = [];
    const scheduler = new CheckpointScheduler(failingPersistence(calls), { checkpointIntervalMs: 1_000 }, (error) => errors.push(error), 10_000);
    await vi.advanceTimersByTimeAsync(30_000);
    scheduler.stop();
    // First try at the checkpoint interval, then 100 ms doubling (halved at most by jitter) up to 3.2 s.
    expect(calls.renew).toBeGreaterThanOrEqual(10);
    expect(calls.renew).toBeLessThanOrEqual(25);
    expect(errors).toHaveLength(calls.renew);
  });

  it("runs the timed checkpoints of many objects a few at a time", async () => {
    vi.useFakeTimers();
    let running = 0;
    let most = 0;
    let done = 0;
    const persistence = {
      renewLease: async () => undefined,
      pendingChanges: () => 1,
      checkpoint: async () => {
        most = Math.max(most, ++running);
        await new Promise((resolve) => setTimeout(resolve, 100));
        running--;
        done++;
        return null;
      },
    } as unknown as ObjectPersistence;
    const shared = new Limiter(2);
    const schedulers = Array.from({ length: 20 }, () => new CheckpointScheduler(persistence, { checkpointIntervalMs: 1_000 }, undefined, 60_000, shared));
    await vi.advanceTimersByTimeAsync(2_500);
    schedulers.forEach((scheduler) => scheduler.stop());
    expect(most).toBe(2);
    expect(done).toBeGreaterThanOrEqual(20);
  });
});
