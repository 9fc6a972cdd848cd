import { sleep, until, type Scenario } from "./helpers";

/** Alarms: the API, firing, retries, rescheduling, deletion. */
export const alarmScenarios: Record<string, Scenario> = {
  "alarm API edges": (env) => env.ALARM.getByName("edges").apiEdges(),
  "alarm fires once": async (env) => {
    const stub = env.ALARM.getByName("fires");
    const armed = await stub.arm(50);
    const state = await until(() => stub.state(), (s) => s.runs.length >= 1 && !s.pending, 10_000);
    await sleep(200);
    return { armed, state, settled: await stub.state() };
  },
  "alarm retries after a throw": async (env) => {
    const stub = env.ALARM.getByName("retries");
    const armed = await stub.arm(0, 1);
    const state = await until(() => stub.state(), (s) => s.runs.length >= 2 && !s.pending, 20_000);
    return { armed, state };
  },
  "alarm set again from its handler": async (env) => {
    const stub = env.ALARM.getByName("reschedules");
    await stub.arm(0, 0, 2);
    return until(() => stub.state(), (s) => s.runs.length >= 3 && !s.pending, 10_000);
  },
  "alarm deleted before it fires": async (env) => {
    const stub = env.ALARM.getByName("deleted");
    await stub.arm(1_000);
    await stub.apiEdges(); // ends with the alarm deleted
    await sleep(1_500);
    return stub.state();
  },
  "alarm without a handler": (env) => env.NO_ALARM.getByName("x").trySetAlarm(),
};
