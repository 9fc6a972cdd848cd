import { loadSqliteEngine } from "../../../src/runtime/sqlite/sqljs-engine";
import { DurableObjectStorage, type StorageOwner } from "../../../src/runtime/state/storage";

/** A storage on a fresh in-memory database; `alarms` records every alarm change. */
export async function newStorage(hasAlarmHandler = true) {
  const engine = await loadSqliteEngine();
  const db = engine.open();
  const alarms: (number | null)[] = [];
  const owner: StorageOwner = { hasAlarmHandler: () => hasAlarmHandler, alarmChanged: (time) => alarms.push(time) };
  return { db, storage: new DurableObjectStorage(db, owner), alarms };
}

/** The error `run` throws (sync or async), or a failure when it does not throw. */
export async function thrown(run: () => unknown): Promise<Error> {
  try {
    await run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}
