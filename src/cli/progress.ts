import { consola } from "consola";

/** A task that has not finished after this long shows its steps. */
export const PROGRESS_AFTER_MS = 1_000;

export interface Progress {
  /** The step now running. */
  step(message: string): void;
  /** The task ended: nothing more is printed. */
  done(): void;
}

/**
 * Prints a long task's steps, but only once it has run for `afterMs`: a quick build prints its
 * result and nothing else, a slow one shows what it is doing (the current step at `afterMs`,
 * then each step as it starts).
 */
export function delayedProgress(afterMs: number, print: (message: string) => void = (message) => consola.start(message)): Progress {
  let current: string | undefined;
  let showing = false;
  const timer = setTimeout(() => {
    showing = true;
    if (current !== undefined) print(current);
  }, afterMs);
  return {
    step(message) {
      current = message;
      if (showing) print(message);
    },
    done() {
      clearTimeout(timer);
    },
  };
}
