/** workerd's `scheduler.wait(ms, { signal })`: a promise resolved after `ms`. */
export interface Scheduler {
  wait(delayMs: number, options?: { signal?: AbortSignal }): Promise<void>;
}

const scheduler: Scheduler = {
  wait(delayMs, options = {}) {
    const { signal } = options;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, delayMs);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
};

/** Off Cloudflare, gives Worker code the global `scheduler`; does nothing where one exists. */
export function installSchedulerGlobal(): void {
  const global = globalThis as { scheduler?: unknown };
  global.scheduler ??= scheduler;
}
