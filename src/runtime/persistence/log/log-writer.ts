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
  /** The lease generation every entry records. */
  generation: number;
  /** The position stored last (this writer's seal), and the database image at it. */
  position: number;
  base: Uint8Array;
  policy: RetryPolicy;
  now: () => number;
}

/**
 * Group commit into an object's log: `sync()` resolves once every write made before the call
 * is stored. Writes that arrive while a batch is being stored join the next batch, so there is
 * one store write per batch, never per request. Each batch is the pages that changed since the
 * last one, appended create-only at the next position: if that position is taken, another
 * instance has sealed the log, and this writer fails for good (`FENCED`). A batch that cannot
 * be stored before the policy's deadline fails too; the object's state is then ahead of the
 * store and must be thrown away (see `failure`).
 */
export class LogWriter {
  readonly #options: LogWriterOptions;
  #position: number;
  #base: Uint8Array;
  /** `writes()` as of the stored position. */
  #durable: number;
  /** `writes()` as of the newest batch taken. */
  #captured: number;
  /** A batch is taken and not stored yet. */
  #storing = false;
  /** The newest batch: taken (or waiting to be), resolves once stored. */
  #tail: Promise<void> = Promise.resolve();
  /** A batch not taken yet, which callers join. */
  #waiting: Promise<void> | null = null;
  /** Time travel replaced the whole database: the next batch holds every page. */
  #forced = false;
  #failure: Error | null = null;

  constructor(options: LogWriterOptions) {
    this.#options = options;
    this.#position = options.position;
    this.#base = options.base;
    this.#durable = this.#captured = this.#count();
  }

  /** The last position this writer stored. */
  get position(): number {
    return this.#position;
  }

  /** Why this writer stopped (fenced, or the store failed past the deadline); null while it works. */
  get failure(): Error | null {
    return this.#failure;
  }

  /** Every write so far is stored, and nothing is on its way. Checked synchronously before a checkpoint. */
  get upToDate(): boolean {
    if (this.#failure !== null || this.#waiting !== null || this.#storing || this.#forced) return false;
    if (this.#options.writes) return this.#options.writes() <= this.#durable;
    const image = this.#options.image();
    return image !== null && sameImage(this.#base, image);
  }

  /** Resolves once every write made so far is stored; rejects if it cannot be. */
  sync(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#options.writes && !this.#forced) {
      const target = this.#options.writes();
      if (target <= this.#durable) return Promise.resolve();
      if (target <= this.#captured) return this.#tail;
    }
    if (this.#waiting) return this.#waiting;
    const waiting = this.#tail.catch(() => undefined).then(() => this.#batch());
    this.#waiting = waiting;
    this.#tail = waiting;
    return waiting;
  }

  /**
   * Diffs from now on against `image`, the database as it is now (a checkpoint's image, read in
   * the same turn as `upToDate`), byte for byte what a restore starts from. True when those
   * bytes differ from the last entry's image (SQLite wrote the same state differently).
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

  async #batch(): Promise<void> {
    if (this.#failure) throw this.#failure;
    let image = this.#options.image();
    // An explicit transaction is open: its writes may still roll back. Take the batch after it.
    while (image === null) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (this.#failure) throw this.#failure;
      image = this.#options.image();
    }
    const captured = this.#count();
    this.#waiting = null;
    this.#captured = captured;
    this.#forced = false;
    const diff = diffPages(this.#base, image);
    if (diff.pages.length === 0 && diff.size === this.#base.length) {
      this.#durable = Math.max(this.#durable, captured);
      return;
    }
    const position = this.#position + 1;
    const { store, generation, policy, now } = this.#options;
    this.#storing = true;
    try {
      const bytes = await encodeEntry({ kind: "pages", position, generation, timestampMs: now(), ...diff });
      if ((await createEntry(store, position, bytes, policy)) === "taken") {
        throw new FencedError("FENCED", `log position ${position} was taken by another holder: this instance no longer owns the object`);
      }
    } catch (error) {
      this.#failure = error instanceof Error ? error : new Error(String(error));
      throw this.#failure;
    } finally {
      this.#storing = false;
    }
    this.#position = position;
    this.#base = image;
    this.#durable = captured;
  }
}
