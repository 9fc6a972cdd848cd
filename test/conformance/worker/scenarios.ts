/** Every scenario of the conformance Worker, by name (names are what the tests report). */
import { alarmScenarios } from "./scenarios/alarms";
import { concurrencyScenarios } from "./scenarios/concurrency";
import { idScenarios } from "./scenarios/ids";
import { kvScenarios } from "./scenarios/kv";
import { rpcScenarios } from "./scenarios/rpc";
import { sqlScenarios } from "./scenarios/sql";
import { webSocketScenarios } from "./scenarios/websockets";
import type { Scenario } from "./scenarios/helpers";

export type { Scenario } from "./scenarios/helpers";

export const scenarios: Record<string, Scenario> = {
  ...sqlScenarios,
  ...kvScenarios,
  ...alarmScenarios,
  ...rpcScenarios,
  ...idScenarios,
  ...concurrencyScenarios,
  ...webSocketScenarios,
};
