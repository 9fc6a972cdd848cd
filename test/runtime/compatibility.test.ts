import { describe, expect, it } from "vitest";
import { workerOptions } from "../../src/plugin/entry";
import type { WorkerProject } from "../../src/plugin/config";
import { ContradictoryFlagsError, resolveCompatibility } from "../../src/runtime/compatibility";

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

  it("follow the flag that implies them from the implying date, unless their own disable flag is named", () => {
    // nodejs_compat implies nodejs_compat_populate_process_env from 2025-04-01.
    expect(resolveCompatibility("2025-03-31", ["nodejs_compat"]).populateProcessEnv).toBe(false);
    expect(resolveCompatibility("2025-04-01", ["nodejs_compat"]).populateProcessEnv).toBe(true);
    expect(resolveCompatibility("2025-04-01").populateProcessEnv).toBe(false);
    expect(resolveCompatibility("2025-04-01", ["nodejs_compat", "nodejs_compat_do_not_populate_process_env"]).populateProcessEnv).toBe(false);
    expect(resolveCompatibility("2020-01-01", ["nodejs_compat_populate_process_env"]).populateProcessEnv).toBe(true);
    // nodejs_compat itself becomes the default on 2026-08-04, and with it nodejs_compat_v2.
    expect(resolveCompatibility("2026-08-04")).toMatchObject({ nodeJsCompat: true, nodeJsCompatV2: true });
    expect(resolveCompatibility("2026-08-04", ["no_nodejs_compat", "no_nodejs_compat_v2"])).toMatchObject({ nodeJsCompat: false, nodeJsCompatV2: false });
    expect(resolveCompatibility("2024-09-22", ["nodejs_compat"]).nodeJsCompatV2).toBe(false);
    expect(resolveCompatibility("2024-09-23", ["nodejs_compat"]).nodeJsCompatV2).toBe(true);
  });

  it("refuse an enable and a disable flag for one feature, as workerd does", () => {
    expect(() => resolveCompatibility("2026-01-01", ["rpc", "no_rpc"])).toThrow(ContradictoryFlagsError);
    expect(() => resolveCompatibility("2026-01-01", ["rpc", "no_rpc"])).toThrow("Compatibility flags are mutually contradictory: rpc vs no_rpc");
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
