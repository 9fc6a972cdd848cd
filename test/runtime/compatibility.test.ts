import { describe, expect, it } from "vitest";
import { workerOptions } from "../../src/plugin/entry";
import type { WorkerProject } from "../../src/plugin/config";
import { resolveCompatibility } from "../../src/runtime/compatibility";

describe("compatibility flags", () => {
  it("follow the date a flag became the default, unless a flag names it", () => {
    expect(resolveCompatibility("2026-02-23").deleteAllDeletesAlarm).toBe(false);
    expect(resolveCompatibility("2026-02-24").deleteAllDeletesAlarm).toBe(true);
    expect(resolveCompatibility("2026-02-24", ["delete_all_preserves_alarm"]).deleteAllDeletesAlarm).toBe(false);
    expect(resolveCompatibility("2025-01-01", ["delete_all_deletes_alarm"]).deleteAllDeletesAlarm).toBe(true);
    // A flag with no default date is on only when named.
    expect(resolveCompatibility("2099-01-01").jsRpc).toBe(false);
    expect(resolveCompatibility("2099-01-01", ["js_rpc"]).jsRpc).toBe(true);
  });

  it("reach the runtime from the wrangler config through the build's entry", () => {
    const project = {
      durableObjects: [{ name: "COUNTER", className: "Counter" }],
      exportedDurableObjects: [],
      loopbackServices: [],
      vars: {},
      compatibilityDate: "2026-03-01",
      compatibilityFlags: ["delete_all_preserves_alarm"],
    } as unknown as WorkerProject;
    expect(workerOptions(project)).toMatchObject({ compatibilityDate: "2026-03-01", compatibilityFlags: ["delete_all_preserves_alarm"] });
  });
});
