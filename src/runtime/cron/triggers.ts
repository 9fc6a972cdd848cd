import { nextTick, parseCron } from "./schedule";

export interface CronTriggerOptions {
  /** wrangler's `triggers.crons`. */
  crons: readonly string[];
  /** Runs the Worker's `scheduled()` for one tick. */
  run(cron: string, scheduledTime: number): Promise<void>;
  /**
   * Takes the tick for this replica: false when another replica took it. Without it every
   * process fires every tick (a single replica).
   */
  claim?(cron: string, scheduledTime: number): Promise<boolean>;
}

/** Longest delay setTimeout takes; later ticks re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Cron triggers on a server: each expression fires the Worker's `scheduled()` at its ticks, in
 * UTC. Among replicas sharing a store, `claim` lets exactly one fire each tick.
 */
export class CronTriggers {
  readonly #options: CronTriggerOptions;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #running = new Set<Promise<void>>();
  #stopped = false;

  constructor(options: CronTriggerOptions) {
    this.#options = options;
    for (const cron of options.crons) parseCron(cron); // a bad expression stops the start
  }

  start(now = Date.now()): void {
    for (const cron of this.#options.crons) this.#arm(cron, parseCron(cron), now);
  }

  /** Fires no more ticks, and settles once the runs already started have finished. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await Promise.all(this.#running);
  }

  #arm(expression: string, cron: ReturnType<typeof parseCron>, after: number): void {
    const tick = nextTick(cron, after);
    if (tick === null || this.#stopped) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      // Timers may fire a little early (or be clamped for far ticks): wait until due.
      if (Date.now() < tick) return this.#arm(expression, cron, after);
      this.#arm(expression, cron, tick);
      const run = this.#fire(expression, tick).finally(() => this.#running.delete(run));
      this.#running.add(run);
    }, Math.min(Math.max(tick - Date.now(), 0), MAX_TIMER_MS));
    (timer as { unref?(): void }).unref?.();
    this.#timers.add(timer);
  }

  async #fire(cron: string, scheduledTime: number): Promise<void> {
    try {
      if (this.#options.claim && !(await this.#options.claim(cron, scheduledTime))) return;
      await this.#options.run(cron, scheduledTime);
    } catch (error) {
      console.error(`dotdo: the scheduled() run for cron ${JSON.stringify(cron)} at ${new Date(scheduledTime).toISOString()} failed:`, error);
    }
  }
}
