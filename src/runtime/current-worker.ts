/**
 * What `cloudflare:workers` exposes at module level (`env`, `exports`, `waitUntil`): those of
 * the Worker most recently created in this process, filled in by `createWorker`.
 */
export const currentEnv: Record<string, unknown> = {};
export const currentExports: Record<string, unknown> = {};

let background: ((promise: Promise<unknown>) => void) | undefined;

/** Where `waitUntil` hands its promises: the current Worker's background work. */
export function setBackground(track: (promise: Promise<unknown>) => void): void {
  background = track;
}

/** `waitUntil` of `cloudflare:workers`: the Worker waits for `promise` before it is disposed. */
export function waitUntil(promise: Promise<unknown>): void {
  if (background) return background(promise);
  Promise.resolve(promise).catch((error: unknown) => console.error("dotdo: a waitUntil() promise rejected:", error));
}
