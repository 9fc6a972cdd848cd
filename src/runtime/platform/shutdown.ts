/**
 * A signal handler that stops the server once and then exits. Repeated signals (a terminal's
 * Ctrl-C reaches every process in the group, supervisors resend SIGTERM) join the running
 * shutdown instead of killing the process before its final checkpoint.
 */
export function shutdownOnSignal(stop: () => Promise<void>, exit: (code: number) => void): () => void {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= stop().then(
      () => exit(0),
      (error: unknown) => {
        console.error(error);
        exit(1);
      },
    );
  };
}

/**
 * How long requests still in flight once the objects are handed over (forwards to their new
 * holders, say) may take before their connections are cut: a stop stays within an
 * orchestrator's grace period (Kubernetes' default is 30 s) however busy the server is.
 */
export const DRAIN_GRACE_MS = 5_000;

/** Waits for the server's graceful `closing` for up to `DRAIN_GRACE_MS`, then `force`s it. */
export async function drain(closing: Promise<void>, force: () => unknown): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), DRAIN_GRACE_MS)));
  if (await Promise.race([closing.then(() => false), late])) await force();
  clearTimeout(timer);
}
