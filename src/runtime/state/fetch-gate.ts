/** An async context (Node's `AsyncLocalStorage` has this shape): what code is running for whom. */
export interface AsyncContext<T> {
  run<R>(store: T, fn: () => R): R;
  getStore(): T | undefined;
}

/** While an object's code runs: resolves once that object's writes so far are stored. */
type Stored = () => Promise<void>;

let context: AsyncContext<Stored> | undefined;

/**
 * The output gate for outgoing requests: a `fetch()` made by an object's code leaves only once
 * the writes that code made before it are stored, as on Cloudflare. The global `fetch` is
 * wrapped once per process; `context` tells whose code is calling it.
 */
export function gateFetch(carrier: AsyncContext<Stored>): void {
  if (context) return;
  context = carrier;
  const send = globalThis.fetch;
  globalThis.fetch = async function fetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
    await carrier.getStore()?.();
    return send(input, init);
  };
}

/** Runs an object's code, so that the fetches it makes wait for `stored` (once `gateFetch` is on). */
export function asObjectCode<R>(stored: Stored, fn: () => R): R {
  return context ? context.run(stored, fn) : fn();
}
