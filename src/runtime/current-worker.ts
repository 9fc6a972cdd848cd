import { resolveCompatibility, type Compatibility } from "./compatibility";

/**
 * What `cloudflare:workers` exposes at module level (`env`, `exports`, `waitUntil`): those of
 * the Worker most recently created in this process, filled in by `createWorker` (left empty
 * with `disallow_importable_env`).
 */
export const currentEnv: Record<string, unknown> = {};
export const currentExports: Record<string, unknown> = {};

let background: ((promise: Promise<unknown>) => void) | undefined;

/** Where `waitUntil` hands its promises: the current Worker's background work. */
export function setBackground(track: (promise: Promise<unknown>) => void): void {
  background = track;
}

/**
 * `waitUntil` of `cloudflare:workers`: the Worker waits for `promise` before it is disposed.
 * Before any Worker runs (while modules load), refused as workerd refuses it in global scope.
 */
export function waitUntil(promise: Promise<unknown>): void {
  if (!background) throw new Error(GLOBAL_SCOPE);
  background(promise);
}

const GLOBAL_SCOPE =
  "Disallowed operation called within global scope. Asynchronous I/O (ex: fetch() or connect()), setting a timeout, and generating random values are not allowed within global scope. To fix this error, perform this operation within a handler. https://developers.cloudflare.com/workers/runtime-apis/handlers/";

let compatibility: Compatibility = resolveCompatibility();

/**
 * What the current Worker's compatibility date and flags turn on, for what has no Worker at
 * hand (a `WebSocket` made by `new WebSocketPair()`); the default date's until a Worker starts.
 */
export function currentCompatibility(): Compatibility {
  return compatibility;
}

export function setCompatibility(value: Compatibility): void {
  compatibility = value;
}
