import { DurableObject, type AlarmInvocationInfo } from "cloudflare:workers";
import { encode, outcome, type Encoded, type Outcome } from "./encode";

export interface AlarmRun {
  retryCount: number;
  isRetry: boolean;
  /** Whether getAlarm() still reports the alarm while its handler runs. */
  pendingDuringRun: boolean;
}

export interface AlarmState {
  runs: AlarmRun[];
  pending: boolean;
}

/** Records each alarm invocation in storage; can be told to fail the first N runs. */
export class AlarmProbe extends DurableObject {
  override async alarm(info?: AlarmInvocationInfo): Promise<void> {
    const runs = (await this.ctx.storage.get<AlarmRun[]>("runs")) ?? [];
    runs.push({
      retryCount: info?.retryCount ?? -1,
      isRetry: info?.isRetry ?? false,
      pendingDuringRun: (await this.ctx.storage.getAlarm()) !== null,
    });
    await this.ctx.storage.put("runs", runs);
    const failures = (await this.ctx.storage.get<number>("failures")) ?? 0;
    if (runs.length <= failures) throw new Error(`alarm failure ${runs.length}`);
    const reschedules = (await this.ctx.storage.get<number>("reschedules")) ?? 0;
    if (runs.length <= reschedules) await this.ctx.storage.setAlarm(Date.now() + 10);
  }

  /**
   * Arms the alarm `delayMs` from now, failing its first `failures` runs; after a successful
   * run the handler sets the alarm again until it has run `reschedules` + 1 times.
   */
  async arm(delayMs: number, failures = 0, reschedules = 0): Promise<Encoded> {
    await this.ctx.storage.put({ failures, reschedules });
    await this.ctx.storage.delete("runs");
    const at = Date.now() + delayMs;
    await this.ctx.storage.setAlarm(at);
    const got = await this.ctx.storage.getAlarm();
    return encode({ getAlarmMatches: got === at });
  }

  async state(): Promise<AlarmState> {
    const alarm = await this.ctx.storage.getAlarm();
    return { runs: (await this.ctx.storage.get<AlarmRun[]>("runs")) ?? [], pending: alarm !== null };
  }

  async apiEdges(): Promise<Record<string, Outcome>> {
    const storage = this.ctx.storage;
    return {
      initial: await outcome(() => storage.getAlarm()),
      setDate: await outcome(async () => {
        const at = new Date(Date.now() + 3_600_000);
        await storage.setAlarm(at);
        return (await storage.getAlarm()) === at.getTime();
      }),
      setTwiceKeepsLast: await outcome(async () => {
        const at = Date.now() + 7_200_000;
        await storage.setAlarm(at - 1000);
        await storage.setAlarm(at);
        return (await storage.getAlarm()) === at;
      }),
      setReturns: await outcome(() => storage.setAlarm(Date.now() + 3_600_000)),
      fractional: await outcome(async () => {
        await storage.setAlarm(Date.now() + 3_600_000.7);
        return Number.isInteger(await storage.getAlarm());
      }),
      deleteReturns: await outcome(() => storage.deleteAlarm()),
      afterDelete: await outcome(() => storage.getAlarm()),
      deleteAgain: await outcome(() => storage.deleteAlarm()),
      setString: await outcome(() => storage.setAlarm("soon" as never)),
      setNaN: await outcome(() => storage.setAlarm(Number.NaN)),
      setUndefined: await outcome(() => storage.setAlarm(undefined as never)),
      afterBadSets: await outcome(() => storage.getAlarm()),
    };
  }
}

/** A class without an alarm() handler: setAlarm must refuse. */
export class NoAlarmProbe extends DurableObject {
  async trySetAlarm(): Promise<Outcome> {
    return outcome(() => this.ctx.storage.setAlarm(Date.now() + 60_000));
  }
}
