import { type AppCase, sleep } from "../case";

/** An object of each kind: a plain DurableObject, and partyserver Servers (the app's "stock" and "fixed" copies). */
const OBJECTS = ["/raw/r1", "/parties/stock-alarm/s1", "/parties/fixed-alarm/f1"];
const DELAY_S = 2;
/** How long the restarted Worker is left alone (at least, and past the alarms' time) before anything is asked of it. */
const UNTOUCHED_MS = 3_000;

interface Snapshot {
  ctxIdName?: string;
  partyName?: string | null;
  observations: { at: number; source: string; ctxIdName?: string; partyName: string | null; partyNameError: string | null; storedPsName?: string }[];
}

/**
 * partyserver's alarm-restart reproducer: each object schedules an alarm, the Worker restarts
 * before it is due, and the alarm must fire in the restarted process without any request to the
 * object (each observation's time is compared with the first request after the restart), with
 * what workerd tells an alarm about the object's name.
 */
export const alarmRestart: AppCase = {
  name: "alarm-restart",
  scrub: (text) => text.replace(/"at":\d+/g, '"at":"<t>"'),
  async before(t) {
    for (const path of OBJECTS) await t.http(`${path}?schedule=${DELAY_S}`);
    t.kept.set("due", Date.now() + DELAY_S * 1000);
  },
  async after(t) {
    // Nothing touches the objects until the restarted Worker has had time to wake them.
    await sleep(Math.max(UNTOUCHED_MS, (t.kept.get("due") as number) + UNTOUCHED_MS - Date.now()));
    const askedAt = Date.now();
    for (const path of OBJECTS) {
      const body = await t.poll(`${path}?snapshot=1`, (text) => text.includes('"source":"alarm"'));
      const snapshot = JSON.parse(body) as Snapshot;
      t.note("fired before the first request after the restart", snapshot.observations.filter((o) => o.source === "alarm").map((o) => o.at < askedAt));
    }
  },
};
