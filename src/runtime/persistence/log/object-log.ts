import type { RetryPolicy } from "../../retry";
import { deleteKeys } from "../../storage/delete-keys";
import type { ObjectStore } from "../../storage/types";
import type { Commit } from "../commit";
import { CorruptSnapshotError, FencedError, UnacknowledgedLogTailError, UnsupportedSchemaError } from "../errors";
import { logKey } from "../keys";
import type { SqlPort } from "../sql-port";
import { MAX_APPEND_WINDOW, listLog } from "./log-store";
import { LogWriter } from "./log-writer";
import { replayLog, SEAL_KEEP_MS, sealLog, startOfLog, type Replayed } from "./replay";

export interface ObjectLogOptions {
  store: ObjectStore;
  port: SqlPort;
  holder: string;
  /** A count that rises with every write (see `LogWriterOptions.writes`). */
  writes?: () => number;
  policy: RetryPolicy;
  /** Appends in flight at once (`LogWriterOptions.window`). */
  window: number;
  now: () => number;
  /** Hears of entries a restore left out (`UnacknowledgedLogTailError`). */
  report(error: Error): void;
  /** Puts a replayed image in place of the database. */
  adopt(image: Uint8Array): void;
}

/**
 * One object's write-ahead log as its persistence sees it: where the database's state sits in
 * it, replaying it on restore, sealing it for a holder, the writer that appends to it, and
 * compacting it after checkpoints. It needs a port that reads and loads images (`enabled`).
 */
export class ObjectLog {
  readonly #options: ObjectLogOptions;
  /** Where the restored state sits in the log (null: not at a log position, e.g. after time travel). */
  #state: Replayed | null = null;
  /**
   * The log position the database's state was last known to match (0 before anything was
   * restored), or null after time travel replaced it on purpose.
   */
  #at: number | null = 0;
  #writer: LogWriter | null = null;

  constructor(options: ObjectLogOptions) {
    this.#options = options;
  }

  /** The log needs the database's image (to diff it) and to load one (to replay it). */
  get enabled(): boolean {
    return this.#options.port.image !== undefined && this.#options.port.stageImage !== undefined;
  }

  /** The open writer, if the log is sealed for this holder. */
  get writer(): LogWriter | null {
    return this.#writer;
  }

  /** Why the writer stopped taking writes, or null. */
  get failure(): Error | null {
    return this.#writer?.failure ?? null;
  }

  /** Lists the log's positions (started in a restore's first round trip). */
  list(): Promise<number[]> {
    return listLog(this.#options.store, 0, this.#options.policy);
  }

  /**
   * After a restore: `commit` was loaded (from its exact image when `exact`); with `listing`
   * (a restore of the newest state) the entries after it are replayed onto the database.
   * Without it (time travel), the state is at no log position. Returns whether any entry applied.
   */
  async restored(commit: Commit | null, exact: boolean, listing: Promise<number[]> | null): Promise<boolean> {
    this.#state = listing ? await this.#replay(commit, exact, listing) : null;
    this.#at = this.#state?.position ?? (listing ? (commit?.log ?? 0) : null);
    // A live object's state was replaced as a whole: its next entry carries every page.
    this.#writer?.rebase();
    return (this.#state?.applied ?? 0) > 0;
  }

  async #replay(commit: Commit | null, exact: boolean, listing: Promise<number[]>): Promise<Replayed | null> {
    const { store, port, policy } = this.#options;
    const after = commit?.log ?? 0;
    const positions = (await listing).filter((position) => position > after);
    if (!this.enabled) {
      if (positions.length > 0) throw new UnsupportedSchemaError("this database engine cannot load images, which replaying the write-ahead log needs");
      return null;
    }
    // With no checkpoint and no entry the database is empty: no image to read (about 0.5 ms in
    // sql.js, on every first open of an object).
    const base = commit === null && positions.length === 0 ? new Uint8Array(0) : port.image!()!;
    const replayed = await replayLog(store, after, base, policy, positions, commit?.seals);
    if (replayed.unacknowledged.length > 0) {
      this.#options.report(new UnacknowledgedLogTailError(replayed.position + 1, replayed.unacknowledged));
    }
    if (replayed.applied === 0) return replayed;
    if (commit?.image && !exact) {
      // The log's pages apply to the commit's image only; the tables were loaded instead.
      throw new CorruptSnapshotError(logKey(after + 1), `cannot be replayed: checkpoint ${commit.sequence}'s image was unreadable (see the error before)`);
    }
    this.#options.adopt(replayed.image);
    return replayed;
  }

  /**
   * Seals the log for `generation` and opens the writer: from here on an older holder's
   * appends collide. An entry such a holder stored before the seal is applied first. After a
   * clean hand-over (`handedOver`) no earlier holder can append any more, so the seal need not
   * outlive compaction. `head.seals` are the seals the newest checkpoint kept.
   */
  async open(generation: number, handedOver: boolean, head: Commit | null): Promise<LogWriter> {
    if (this.#writer) return this.#writer;
    const { store, port, holder, writes, policy, now, window } = this.#options;
    const restored = this.#state;
    let start = restored;
    if (!start) {
      // No replayed state at hand: seal after the log's end; the first entry then carries
      // every page. Unless time travel replaced the state on purpose, the log must not have
      // moved on since the state was known: that would fork the object's history.
      const end = (await this.list()).at(-1) ?? 0;
      if (this.#at !== null && end !== this.#at) {
        throw new FencedError("FENCED", `another instance wrote this object (its log is at ${end}, this state at ${this.#at}): restore it first`);
      }
      start = { ...startOfLog(new Uint8Array(0), end), seals: head?.seals ?? [] };
    }
    // A holder that handed over has nothing in flight; so has a log nobody wrote yet. Any
    // other may have, as far as the widest window any writer may use.
    const sealWindow = handedOver || start.position === 0 ? 1 : MAX_APPEND_WINDOW;
    // Generation 1 took a lock that did not exist: no instance held the object before, so
    // nothing can be appended to its log but by this holder. An empty log then needs no seal.
    const first = generation === 1 && start.position === 0;
    const sealed = first ? start : await sealLog(store, start, { generation, holder, now, window: sealWindow }, policy);
    if (restored && sealed.applied > restored.applied) this.#options.adopt(sealed.image);
    const sealedFrom = sealed.position - sealWindow + 1;
    this.#state = handedOver ? { ...sealed, seals: sealed.seals.filter(([position]) => position < sealedFrom) } : sealed;
    const writer = new LogWriter({
      store,
      image: () => port.image?.() ?? null,
      ...(writes && { writes }),
      window,
      generation,
      position: sealed.position,
      base: sealed.image,
      policy,
      now,
    });
    if (!restored) writer.rebase();
    this.#writer = writer;
    return writer;
  }

  /** The lease is given up: whoever holds the object next seals the log again (this instance too). */
  close(): void {
    if (this.#writer) this.#at = this.#writer.position;
    this.#writer = null;
    this.#state = null;
  }

  /** The seal entries the log still needs (younger than `SEAL_KEEP_MS`), for the next commit. */
  keptSeals(): Array<[number, number]> {
    const since = this.#options.now() - SEAL_KEEP_MS;
    return (this.#state?.seals ?? []).filter(([, timestampMs]) => timestampMs >= since);
  }

  /**
   * Deletes the entries up to `covered` (what the commit before the newest holds: one commit
   * of slack, so a restore that lists the commits while the newest lands still finds its log),
   * except the seals the newest commit keeps.
   */
  async compact(covered: number, kept: Array<[number, number]>): Promise<void> {
    const seals = new Set(kept.map(([position]) => position));
    const positions = (await this.list()).filter((position) => position <= covered && !seals.has(position));
    await deleteKeys(this.#options.store, positions.map(logKey));
  }
}
