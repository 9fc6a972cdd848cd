import { encode, isErrorLike, type Encoded } from "../encode";
import type { Env } from "../env";

/** One scenario: runs inside the Worker against its bindings, answers a plain result. */
export type Scenario = (env: Env) => Promise<unknown>;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const HEX64 = /^[0-9a-f]{64}$/;

/** Polls `read` until `done` holds or `timeoutMs` passes; returns the last reading either way. */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await sleep(50);
    value = await read();
  }
  return value;
}

/** Errors as a caller sees them after they cross a stub. */
export async function rpcError(fn: () => Promise<unknown>): Promise<Encoded> {
  try {
    return { ok: encode(await fn()) };
  } catch (error) {
    if (!isErrorLike(error)) return { threwNonError: encode(error) };
    const e = error as Error & { code?: unknown; remote?: unknown; durableObjectReset?: unknown };
    return {
      threw: {
        name: e.name,
        message: e.message,
        constructor: e.constructor.name,
        code: encode(e.code),
        remote: encode(e.remote),
        durableObjectReset: encode(e.durableObjectReset),
      },
    };
  }
}
