import type { ObjectRef } from "../namespace/lifecycle";
import { retrying } from "../retry";
import type { ObjectStore } from "../storage/types";

/**
 * One key per object with a pending alarm, `alarms/{id}`, next to the objects' own `do/{id}/`
 * folders: a starting server lists it to wake those objects (as workerd fires alarms without a
 * request) without opening every object in the store. The key only says where to look: the
 * alarm itself is the object's state, read by whoever takes the object's lease, so only the
 * holder fires it. An entry left behind by a lost write is removed when the woken object has
 * no alarm; a missing entry means the alarm waits for the object's next request.
 */
export const ALARMS_PREFIX = "alarms/";

/** How long one index write retries a failing store. */
const WRITE_DEADLINE_MS = 10_000;

interface Entry {
  namespace: string;
  name?: string;
  time: number;
}

export class AlarmIndex {
  readonly #store: ObjectStore;
  readonly #onError: (error: unknown, ref: ObjectRef) => void;
  /** Per object: its last write, so that writes land in the order the alarm changed. */
  readonly #writes = new Map<string, Promise<void>>();
  /** Per object: the time the index holds (null: no entry), to skip writes that change nothing. */
  readonly #known = new Map<string, number | null>();

  constructor(store: ObjectStore, onError: (error: unknown, ref: ObjectRef) => void) {
    this.#store = store;
    this.#onError = onError;
  }

  /** Records that `ref`'s alarm is now `time` (null: none); the write happens in the background. */
  record(ref: ObjectRef, time: number | null): void {
    if (this.#known.get(ref.id) === time) return;
    this.#known.set(ref.id, time);
    const key = `${ALARMS_PREFIX}${ref.id}`;
    const entry: Entry = { namespace: ref.namespace, ...(ref.name === undefined ? {} : { name: ref.name }), time: time ?? 0 };
    const write = () => (time === null ? this.#store.delete(key) : this.#store.put(key, new TextEncoder().encode(JSON.stringify(entry))).then(() => undefined));
    const previous = this.#writes.get(ref.id) ?? Promise.resolve();
    const next = previous
      .then(() => retrying(write, () => true, { deadlineMs: WRITE_DEADLINE_MS, baseDelayMs: 100 }))
      .catch((error: unknown) => {
        this.#known.delete(ref.id);
        this.#onError(error, ref);
      });
    this.#writes.set(ref.id, next);
    void next.finally(() => {
      if (this.#writes.get(ref.id) === next) this.#writes.delete(ref.id);
    });
  }

  /** The objects the index lists, read page by page. */
  async pending(): Promise<ObjectRef[]> {
    const refs: ObjectRef[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#store.list(ALARMS_PREFIX, cursor === undefined ? {} : { cursor });
      for (const { key } of page.objects) {
        const stored = await this.#store.get(key);
        if (!stored) continue;
        const entry = JSON.parse(new TextDecoder().decode(stored.body)) as Entry;
        const id = key.slice(ALARMS_PREFIX.length);
        this.#known.set(id, entry.time);
        refs.push({ namespace: entry.namespace, id, ...(entry.name === undefined ? {} : { name: entry.name }) });
      }
      cursor = page.cursor;
    } while (cursor !== undefined);
    return refs;
  }

  /** Resolves once every write recorded so far has landed (or failed). */
  async settled(): Promise<void> {
    await Promise.all(this.#writes.values());
  }
}
