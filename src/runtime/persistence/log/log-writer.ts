import type { RetryPolicy } from "../../retry";
import type { ObjectStore } from "../../storage/types";
import { FencedError } from "../errors";
import { encodeEntry } from "./entry";
import { createEntry } from "./log-store";
import { diffPages, sameImage } from "./pages";

export interface LogWriterOptions {
  store: ObjectStore;
  /** The committed database as an image; null while a transaction is open. */
  image(): Uint8Array | null;
  /**
   * A count that rises with every write to the database. Without it, every `sync()` takes a
   * batch (one that finds no changed page stores nothing).
   */
  writes?: () => number;
  /** How many appends may be in flight at once, 1 to `MAX_APPEND_WINDOW`. */
  window: number;
  /** The lease generation every entry records. */
  generation: number;
  /** The position stored last (this writer's seal), and the database image at it. */
  position: number;
  base: Uint8Array;
  policy: RetryPolicy;
  now: () => number;
}

/** A batch taken at a log position, stored or not yet. */
export interface LogCut {
  position: number;
  /** Resolves once this position and every one before it are stored. */
  stored: Promise<void>;
}

/**
 * Group commit into an object's log: `sync()` resolves once every write made before the call
 * is stored. Writes join the batch not taken yet, so there is one store write per batch, never
 * per request. Each batch is the pages that changed since the batch before, appended
 * create-only at the next position; up to `window` appends are in flight at once (a
 * store's round trip would otherwise bound the object's writes per second), and a batch counts
 * as stored only once every position before it is. If a position is taken, another instance
 * has sealed the log, and this writer fails for good (`FENCED`). A batch that cannot be stored
 * before the policy's deadline fails too; the object's state is then ahead of the store and
 * must be thrown away (see `failure`).
 */
export class LogWriter {
  readonly #options: LogWriterOptions;
  /** The newest position taken, and the image it brings the log to. */
  #position: number;
  #base: Uint8Array;
  /** The last position stored, with every one before it. */
  #stored: number;
  /** `writes()` as of the stored position. */
  #durable: number;
  /** `writes()` as of the newest batch taken. */
  #captured: number;
  /** The newest batch taken: resolves once it and every batch before it are stored. */
  #tail: Promise<void> = Promise.resolve();
  /** A batch not taken yet, which callers join. */
  #waiting: Promise<void> | null = null;
  /** Calls waiting for an append to finish. */
  #roomWaiters: Array<() => void> = [];
  /** Checkpoints waiting to cut a batch (`cut()`); the writer takes none before them. */
  #cutsWaiting = 0;
  /** Time travel replaced the whole database: the next batch holds every page. */
  #forced = false;
  #failure: Error | null = null;

  constructor(options: LogWriterOptions) {
    this.#options = options;
    this.#position = this.#stored = options.position;
    this.#base = options.base;
    this.#durable = this.#captured = this.#count();
  }

  /** The last position this writer took. */
  get position(): number {
    return this.#position;
  }

  /** Why this writer stopped (fenced, or the store failed past the deadline); null while it works. */
  get failure(): Error | null {
    return this.#failure;
  }

  /** Resolves once every write made so far is stored; rejects if it cannot be. */
  sync(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#options.writes && !this.#forced) {
      const target = this.#options.writes();
      if (target <= this.#durable) return Promise.resolve();
      if (target <= this.#captured) return this.#tail;
    }
    this.#waiting ??= this.#next();
    return this.#waiting;
  }

  /**
   * Takes a batch once the window has room and no transaction is open, and calls `atCut` in
   * the same turn (a checkpoint reads the database there, so it sits exactly on the cut's
   * position). Meanwhile the writer takes no other batch: a steady stream of writes would
   * otherwise fill every slot that frees up before the cut gets it.
   */
  async cut<T>(atCut: (cut: LogCut) => T): Promise<T> {
    this.#cutsWaiting++;
    try {
      for (;;) {
        if (this.#failure) throw this.#failure;
        const image = this.#position - this.#stored < this.#options.window ? this.#options.image() : null;
        if (image !== null) {
          this.#take(image);
          return atCut({ position: this.#position, stored: this.#tail });
        }
        await this.#room();
      }
    } finally {
      this.#cutsWaiting--;
    }
  }

  /**
   * Diffs from now on against `image`, the database as it is now (a checkpoint's image, read in
   * the same turn as `cut()`), byte for byte what a restore starts from. True when those bytes
   * differ from the last entry's image (SQLite wrote the same state differently).
   */
  rebaseTo(image: Uint8Array): boolean {
    const changed = !sameImage(this.#base, image);
    this.#base = image;
    return changed;
  }

  /** The database was replaced as a whole (time travel): the next entry carries every page. */
  rebase(): void {
    this.#base = new Uint8Array(0);
    this.#forced = true;
  }

  #count(): number {
    return this.#options.writes?.() ?? 0;
  }

  /** The next batch, taken once the window has room, no cut waits and no transaction is open. */
  async #next(): Promise<void> {
    await Promise.resolve(); // writes made in this turn join the batch
    for (;;) {
      if (this.#failure) throw this.#failure;
      // An explicit transaction is open: its writes may still roll back. Take the batch after it.
      const image = this.#position - this.#stored < this.#options.window && this.#cutsWaiting === 0 ? this.#options.image() : null;
      if (image !== null) return this.#take(image);
      await this.#room();
    }
  }

  /** Resolves once an append in flight has finished; with none in flight, after a moment (a transaction may close). */
  #room(): Promise<void> {
    if (this.#position === this.#stored || this.#failure) return new Promise((resolve) => setTimeout(resolve, 1));
    return new Promise((resolve) => this.#roomWaiters.push(resolve));
  }

  /** Takes the writes so far as the next position's batch (none if no page changed). */
  #take(image: Uint8Array): Promise<void> {
    const captured = this.#count();
    this.#waiting = null;
    this.#captured = captured;
    this.#forced = false;
    const diff = diffPages(this.#base, image);
    if (diff.pages.length === 0 && diff.size === this.#base.length) return this.#tail;
    const position = ++this.#position;
    this.#base = image;
    const stored = this.#append(position, diff);
    const before = this.#tail;
    this.#tail = Promise.all([before, stored])
      .then(() => {
        this.#stored = position;
        this.#durable = Math.max(this.#durable, captured);
      })
      .finally(() => {
        for (const resolve of this.#roomWaiters.splice(0)) resolve();
      });
    this.#tail.catch(() => undefined);
    return this.#tail;
  }

  async #append(position: number, diff: ReturnType<typeof diffPages>): Promise<void> {
    const { store, generation, policy, now } = this.#options;
    try {
      const bytes = await encodeEntry({ kind: "pages", position, generation, timestampMs: now(), stored: this.#stored, ...diff });
      if ((await createEntry(store, position, bytes, policy)) === "taken") {
        throw new FencedError("FENCED", `log position ${position} was taken by another holder: this instance no longer owns the object`);
      }
    } catch (error) {
      this.#failure ??= error instanceof Error ? error : new Error(String(error));
      throw this.#failure;
    }
  }
}
