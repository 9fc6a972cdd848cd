import type { ForwardStats } from "../cluster/stats";

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

/** How long after the last call forwarded to it a stopping server keeps listening. */
const PEER_QUIET_MS = 1_000;

/**
 * Once its objects are handed over, a server keeps listening until the other replicas have
 * found their new holders: no call forwarded to it for `PEER_QUIET_MS` and, where the server can
 * count them, no `open()` connection that carried one (their fetch closes an idle one within
 * the keep-alive time the server announces; one used meanwhile ends with its 503). A call sent
 * at the moment a server closes its connection or its listening socket may or may not have run,
 * so the sender cannot send it again. Gives up after `DRAIN_GRACE_MS`.
 */
export async function peersSettled(forwards: ForwardStats | undefined, open: () => number = () => 0): Promise<void> {
  const deadline = Date.now() + DRAIN_GRACE_MS;
  for (let now = Date.now(); forwards && now < deadline; now = Date.now()) {
    const quietFor = now - forwards.lastReceivedAt;
    if (quietFor >= PEER_QUIET_MS && open() === 0) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(deadline - now, Math.max(50, PEER_QUIET_MS - quietFor))));
  }
}

/** Waits for the server's graceful `closing` for up to `DRAIN_GRACE_MS`, then `force`s it. */
export async function drain(closing: Promise<void>, force: () => unknown): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), DRAIN_GRACE_MS)));
  if (await Promise.race([closing.then(() => false), late])) await force();
  clearTimeout(timer);
}
