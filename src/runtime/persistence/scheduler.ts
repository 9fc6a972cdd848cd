import { Limiter } from "../concurrency";
import { FencedError } from "./errors";
import type { CheckpointResult, ObjectPersistence } from "./object-persistence";

/** The options `configureIceberg()` takes, as the product's docs name them. */
export interface IcebergConfig {
  autoCheckpoint: boolean;
  checkpointIntervalMs: number;
  /** A timed checkpoint runs only once at least this many rows changed. */
  minChangesBeforeCheckpoint: number;
  /**
   * A checkpoint also runs once the write-ahead log holds this many entries after the last
   * one, so that a restore never has many entries to replay.
   */
  maxLogEntries: number;
}

/**
 * Every acknowledged write is in the log already: checkpoints only compact it (and make the
 * state readable as Iceberg tables), so they can be rare.
 */
export const DEFAULT_ICEBERG_CONFIG: IcebergConfig = {
  autoCheckpoint: true,
  checkpointIntervalMs: 30_000,
  minChangesBeforeCheckpoint: 1,
  maxLogEntries: 200,
};

/**
 * Keeps the lease renewed on a timer and, while `autoCheckpoint` is on, takes checkpoints
 * on it. The timer does not keep a process alive; `flush()` is the final checkpoint on
 * eviction or shutdown.
 */
export class CheckpointScheduler {
  #config: IcebergConfig;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #lastCheckpoint = Date.now();
  /** Lease renewals that failed in a row: each waits longer, so a store that is down is not asked in a loop. */
  #failures = 0;

  /**
   * `renewEveryMs`: how often the lease is renewed (well within its ttl), checkpoint or not.
   * `timed`: shared by the objects of a process, so that the timed checkpoints of many objects
   * opened together take turns instead of all running at once and holding up requests.
   */
  constructor(
    private readonly persistence: ObjectPersistence,
    config: Partial<IcebergConfig> = {},
    private readonly onError: (error: unknown) => void = () => undefined,
    private readonly renewEveryMs = Infinity,
    private readonly timed = new Limiter(Infinity),
  ) {
    this.#config = { ...DEFAULT_ICEBERG_CONFIG, ...config };
    this.#arm();
  }

  get config(): IcebergConfig {
    return { ...this.#config };
  }

  configure(config: Partial<IcebergConfig>): void {
    this.#config = { ...this.#config, ...config };
    this.#arm();
  }

  /** A checkpoint now if anything changed (joins a running one). */
  flush(): Promise<CheckpointResult | null> {
    return this.persistence.checkpoint();
  }

  /** Stops the timer; a final `flush()` is the caller's to await. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  /** Starts the timer again after `stop()`. */
  start(): void {
    this.#stopped = false;
    this.#arm();
  }

  #arm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#stopped) return;
    const untilCheckpoint = Math.max(0, this.#lastCheckpoint + this.#config.checkpointIntervalMs - Date.now());
    const delay = this.#failures === 0 ? Math.min(untilCheckpoint, this.renewEveryMs) : Math.min(this.renewEveryMs, retryDelay(this.#failures));
    this.#timer = setTimeout(() => void this.#tick(), delay);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  async #tick(): Promise<void> {
    let renewed = false;
    try {
      await this.persistence.renewLease();
      renewed = true;
      const { autoCheckpoint, minChangesBeforeCheckpoint, checkpointIntervalMs } = this.#config;
      if (Date.now() - this.#lastCheckpoint < checkpointIntervalMs) return;
      this.#lastCheckpoint = Date.now();
      if (autoCheckpoint && this.persistence.pendingChanges() >= Math.max(1, minChangesBeforeCheckpoint)) {
        await this.timed.run(async () => {
          if (!this.#stopped) await this.persistence.checkpoint(); // not once stopped while waiting its turn
        });
      }
    } catch (error) {
      this.onError(error);
      // Fenced: another instance owns the object now, so nothing here can succeed any more.
      if (error instanceof FencedError) this.#stopped = true;
    } finally {
      this.#failures = renewed ? 0 : this.#failures + 1;
      this.#arm();
    }
  }
}

/** 100 ms after the first failed renewal, doubling up to 3.2 s, with jitter so that many objects spread out. */
function retryDelay(failures: number): number {
  return Math.min(3_200, 100 * 2 ** (failures - 1)) * (0.5 + Math.random() / 2);
}
