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
