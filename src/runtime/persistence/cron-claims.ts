import { sha256Hex } from "../sha256";
import { PreconditionFailedError } from "../storage/errors";
import type { ObjectStore } from "../storage/types";

/** Claims of cron ticks, `crons/{expression hash}/{tick}`, next to the objects' own folders. */
export const CRONS_PREFIX = "crons/";

/**
 * Takes one tick of a cron for this replica: a create-only write of the tick's key, which
 * exactly one replica sharing the store wins. The winner then removes its cron's older claims,
 * so the folder holds about one key per cron.
 */
export async function claimCronTick(store: ObjectStore, cron: string, scheduledTime: number): Promise<boolean> {
  const folder = `${CRONS_PREFIX}${(await sha256Hex(new TextEncoder().encode(cron))).slice(0, 16)}/`;
  try {
    await store.put(`${folder}${String(scheduledTime).padStart(15, "0")}`, new TextEncoder().encode(cron), { ifNoneMatch: "*" });
  } catch (error) {
    if (error instanceof PreconditionFailedError) return false;
    throw error;
  }
  const older = (await store.list(folder)).objects.filter((object) => Number(object.key.slice(folder.length)) < scheduledTime);
  await Promise.all(older.map((object) => store.delete(object.key).catch(() => undefined)));
  return true;
}
