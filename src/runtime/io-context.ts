/**
 * Per-request I/O contexts, as workerd's `IoContext`: each request to the Worker (a fetch, a
 * scheduled event, an RPC call to one of its entrypoints) runs in a context of its own, and each
 * Durable Object instance in one its events share. An I/O object (an RPC stub, a call's
 * promise, a Durable Object stub from `get()`) belongs to the context it was made in; using it
 * from another fails with workerd's error. Code running outside any context (the host driving
 * the runtime, module scope) is not checked, nor are objects made there.
 */
import { newAsyncLocal } from "./state/async-local";

export class IoContext {
  /** A Durable Object's context (its requests share it), else a request's. */
  readonly actor: boolean;

  constructor(actor = false) {
    this.actor = actor;
  }
}

/** Undefined where the runtime has no async context (edge-runtime's sandbox): nothing is checked there. */
const current = newAsyncLocal<IoContext | undefined>();

export function currentIoContext(): IoContext | undefined {
  return current?.getStore();
}

/** Runs `fn` (and what it schedules) in `context`; in no context when `context` is undefined. */
export function runInIoContext<R>(context: IoContext | undefined, fn: () => R): R {
  return current ? current.run(context, fn) : fn();
}

/**
 * The context of a receiver not reached yet (a Durable Object, before its stub finds the
 * instance): what it owns belongs to none until `context` is set.
 */
export class LaterContext {
  context: IoContext | undefined;
}

export type Owner = IoContext | LaterContext;

const owners = new WeakMap<object, Owner>();

/** Makes `object` belong to `context`; to none when `context` is undefined. */
export function claim<T extends object>(object: T, context: Owner | undefined): T {
  if (context) owners.set(object, context);
  else owners.delete(object);
  return object;
}

/**
 * Throws workerd's error when `object` belongs to a context other than the current one. `type`
 * names the I/O object as workerd's message does (`Client` for an RPC stub, `JsRpcPromise`…).
 */
export function requireOwnContext(object: object, type: string): void {
  const error = contextError(object, type);
  if (error) throw error;
}

/** The error `requireOwnContext` throws, for code that rejects instead. */
export function contextError(object: object, type: string): CrossContextError | undefined {
  const known = owners.get(object);
  const owner = known instanceof LaterContext ? known.context : known;
  const here = currentIoContext();
  return owner && here && owner !== here ? new CrossContextError(here.actor, type) : undefined;
}

/**
 * An I/O object used from another request than its own (or another Durable Object's). Named
 * `Error` with no own properties, as workerd's, so that it crosses RPC as workerd's does.
 */
export class CrossContextError extends Error {
  get code(): "CROSS_CONTEXT_IO" {
    return "CROSS_CONTEXT_IO";
  }

  constructor(actor: boolean, type: string) {
    super(`${actor ? DIFFERENT_OBJECT : DIFFERENT_REQUEST} (I/O type: ${type})`);
  }
}

const DIFFERENT_REQUEST =
  "Cannot perform I/O on behalf of a different request. I/O objects (such as streams, request/response bodies, and others) created in the context of one request handler cannot be accessed from a different request's handler. This is a limitation of Cloudflare Workers which allows us to improve overall performance.";

const DIFFERENT_OBJECT =
  "Cannot perform I/O on behalf of a different Durable Object. I/O objects (such as streams, request/response bodies, and others) created in the context of one Durable Object cannot be accessed from a different Durable Object in the same isolate. This is a limitation of Cloudflare Workers which allows us to improve overall performance.";
