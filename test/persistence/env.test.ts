import { describe, expect, it } from "vitest";
import { persistenceEnv } from "../../src/runtime/persistence/env";
import { MAX_APPEND_WINDOW } from "../../src/runtime/persistence/log/log-store";

describe("persistence settings from the environment", () => {
  it("reads each setting, and leaves out those not set", () => {
    expect(persistenceEnv({}, "host-1")).toEqual({ holder: "host-1", iceberg: {} });
    expect(
      persistenceEnv({
        DOTDO_HOLDER: " pod-7 ",
        DOTDO_CHECKPOINT_INTERVAL_MS: "5000",
        DOTDO_CHECKPOINT_LOG_ENTRIES: "50",
        DOTDO_STORE_DEADLINE_MS: "3000",
        DOTDO_LEASE_TTL_MS: "20000",
        DOTDO_STOP_GRACE_MS: "4000",
        DOTDO_LOG_WINDOW: "1",
      }),
    ).toEqual({
      holder: "pod-7",
      iceberg: { checkpointIntervalMs: 5000, maxLogEntries: 50 },
      storePolicy: { deadlineMs: 3000, attemptTimeoutMs: 3000 },
      leaseTtlMs: 20000,
      stopGraceMs: 4000,
      appendWindow: 1,
    });
  });

  it("refuses a value that is not a whole number in range, naming the setting", () => {
    for (const value of ["0", "-1", "1.5", "ten"]) {
      expect(() => persistenceEnv({ DOTDO_LEASE_TTL_MS: value })).toThrow(
        expect.objectContaining({ code: "PERSISTENCE_CONFIG_INVALID", message: expect.stringContaining("DOTDO_LEASE_TTL_MS") }),
      );
    }
    expect(() => persistenceEnv({ DOTDO_LOG_WINDOW: String(MAX_APPEND_WINDOW + 1) })).toThrow(
      expect.objectContaining({ code: "PERSISTENCE_CONFIG_INVALID", message: expect.stringContaining(`from 1 to ${MAX_APPEND_WINDOW}`) }),
    );
    expect(persistenceEnv({ DOTDO_LOG_WINDOW: String(MAX_APPEND_WINDOW) }).appendWindow).toBe(MAX_APPEND_WINDOW);
  });
});
