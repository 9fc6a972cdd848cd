/**
 * workerd's input gate, in miniature: events (fetch, RPC, alarm) start one at a time, in
 * arrival order, and only while the gate is open. It closes while `blockConcurrencyWhile`
 * runs and while storage work is in flight — here, until the macrotask after a storage call,
 * so the caller's continuation (e.g. the `put` after a `get`) runs before the next event.
 * That is what makes `n = await get(); await put(n + 1)` safe under concurrent requests.
 */
export class InputGate {
  #blockers = 0;
  #storageBusy = false;
  #releaseScheduled = false;
  #waiting: Array<{ resume(): void; fail(error: unknown): void }> = [];
  #broken: { error: unknown } | undefined;

  get open(): boolean {
    return this.#blockers === 0 && !this.#storageBusy && !this.#broken;
  }

  /**
   * `block` calls not settled yet. No event starts while one runs, so these are nested
   * (workerd's critical-section depth).
   */
  get blockDepth(): number {
    return this.#blockers;
  }

  /** Nothing is running or queued behind the gate. */
  get idle(): boolean {
    return this.#waiting.length === 0 && this.#blockers === 0;
  }

  /** Starts `event` once the gate is open and every earlier event has started. */
  async deliver<T>(event: () => T | Promise<T>): Promise<T> {
    this.#throwIfBroken();
    if (!this.open || this.#waiting.length > 0) await this.#wait(false);
    // Re-check: something may have closed the gate between being let through and resuming.
    while (!this.open) {
      this.#throwIfBroken();
      await this.#wait(true);
    }
    let result: T | Promise<T>;
    try {
      result = event();
    } finally {
      this.#drain();
    }
    return result;
  }

  /** Holds every new event until `fn` settles. */
  async block<T>(fn: () => T | Promise<T>): Promise<T> {
    this.#blockers++;
    try {
      return await fn();
    } finally {
      this.#blockers--;
      this.#drain();
    }
  }

  /** Storage was used: keep the gate shut until the current macrotask is over. */
  storageUsed(): void {
    this.#storageBusy = true;
    if (this.#releaseScheduled) return;
    this.#releaseScheduled = true;
    setTimeout(() => {
      this.#releaseScheduled = false;
      this.#storageBusy = false;
      this.#drain();
    }, 0);
  }

  /** The object was reset: queued and future events fail with `error`. */
  break(error: unknown): void {
    this.#broken = { error };
    for (const waiter of this.#waiting.splice(0)) waiter.fail(error);
  }

  #throwIfBroken(): void {
    if (this.#broken) throw this.#broken.error;
  }

  #wait(front: boolean): Promise<void> {
    return new Promise((resume, fail) => {
      const waiter = { resume: () => resume(), fail };
      if (front) this.#waiting.unshift(waiter);
      else this.#waiting.push(waiter);
    });
  }

  #drain(): void {
    if (this.open) this.#waiting.shift()?.resume();
  }
}
