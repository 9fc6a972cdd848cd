import type { RetryPolicy } from "../../retry";
import type { ObjectStore } from "../../storage/types";
import { FencedError } from "../errors";
import { encodeEntry, type LogEntry } from "./entry";
import { createEntry, readEntry, readLog } from "./log-store";
import { applyPages } from "./pages";

/** The database after a run of log entries, and where the run ended. */
export interface Replayed {
  image: Uint8Array;
  position: number;
  /** Entries whose pages were applied. */
  applied: number;
  /** The newest generation that sealed the log so far. */
  sealed: number;
  /** Seal entries met on the way: [position, timestampMs] (see `SEAL_KEEP_MS`). */
  seals: Array<[number, number]>;
  /** Positions after a gap left out, never acknowledged (see `readLog`). */
  unacknowledged: number[];
}

/**
 * Seal entries outlive compaction this long. Each one is where its predecessor's next append
 * would go, so while it exists that holder (paused, say) collides instead of appending to a
 * position no restore reads any more. A holder paused longer than this could fork the history.
 */
export const SEAL_KEEP_MS = 24 * 60 * 60 * 1000;

/** The state before any entry: `base` at log position `position`. */
export function startOfLog(base: Uint8Array, position: number): Replayed {
  return { image: base, position, applied: 0, sealed: 0, seals: [], unacknowledged: [] };
}

/**
 * Applies entries in order. An entry of an older generation than a seal before it is skipped:
 * it landed after a successor sealed the log, so its writer was never told it was stored.
 */
export function applyEntries(start: Replayed, entries: readonly LogEntry[]): Replayed {
  let { image, applied, sealed, position } = start;
  const seals = [...start.seals];
  for (const entry of entries) {
    position = entry.position;
    if (entry.kind === "seal") seals.push([entry.position, entry.timestampMs]);
    if (entry.generation < sealed) continue;
    if (entry.kind === "seal") {
      sealed = entry.generation;
    } else {
      image = applyPages(image, entry);
      applied++;
    }
  }
  return { ...start, image, position, applied, sealed, seals };
}

/**
 * The log after `after` (listed already, or not) replayed onto `base`, the database as of
 * `after` (a checkpoint, which kept `seals`).
 */
export async function replayLog(
  store: ObjectStore,
  after: number,
  base: Uint8Array,
  policy: RetryPolicy,
  listed?: number[],
  seals: Array<[number, number]> = [],
): Promise<Replayed> {
  const { entries, unacknowledged } = await readLog(store, after, policy, listed);
  return applyEntries({ ...startOfLog(base, after), seals, unacknowledged }, entries);
}

/**
 * Seals the log after `state` for `generation`: from now on every append by an older holder
 * collides. When an older holder's entry got there first, it is applied (it may hold writes
 * that holder acknowledged) and the seal moves on to the next position. An older holder that
 * may still have appends in flight (it did not hand over) had a window of positions past the
 * one sealed: each free one gets a seal too, and the entries that landed there are never
 * applied (their writer was not told they were stored). The result's position is the last of
 * the window.
 */
export async function sealLog(
  store: ObjectStore,
  state: Replayed,
  seal: { generation: number; holder: string; now: () => number; window: number },
  policy: RetryPolicy,
): Promise<Replayed> {
  const stored = (position: number) => claimPosition(store, position, seal, state.position, policy);
  for (;;) {
    const position = state.position + 1;
    const entry = await stored(position);
    if (entry !== null) {
      state = applyEntries(state, [entry]);
      continue;
    }
    const rest = Array.from({ length: seal.window - 1 }, (_, i) => position + 1 + i);
    const late = await Promise.all(rest.map(stored));
    const timestampMs = seal.now();
    const ours = [position, ...rest.filter((_, i) => late[i] === null)];
    return {
      ...state,
      position: position + rest.length,
      sealed: Math.max(state.sealed, seal.generation),
      seals: [...state.seals, ...ours.map((at): [number, number] => [at, timestampMs])],
    };
  }
}

/** A seal at `position`; else the older holder's entry there (a newer holder's fences us). */
async function claimPosition(
  store: ObjectStore,
  position: number,
  seal: { generation: number; holder: string; now: () => number },
  stored: number,
  policy: RetryPolicy,
): Promise<LogEntry | null> {
  const bytes = await encodeEntry({ kind: "seal", position, generation: seal.generation, holder: seal.holder, timestampMs: seal.now(), stored });
  if ((await createEntry(store, position, bytes, policy)) === "stored") return null;
  const entry = await readEntry(store, position, policy);
  if (entry.generation > seal.generation) {
    throw new FencedError("FENCED", `log position ${position} holds generation ${entry.generation}: a newer holder owns the object`);
  }
  return entry;
}
