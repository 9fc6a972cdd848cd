/**
 * Stubs for values passed by reference over RPC — functions, `RpcTarget`s, `new RpcStub(value)`
 * — with workerd's lifetimes: each stub is disposed on its own (`stub[Symbol.dispose]()`,
 * `dup()` makes another), a value's `[Symbol.dispose]()` runs once its last stub is gone, a stub
 * passed over RPC moves to the receiver, and what a call receives is disposed when it returns.
 */
import { claim, contextError, currentIoContext, requireOwnContext, runInIoContext, type IoContext } from "../io-context";
import { cloneForRpc, stubs } from "./rpc";
import { callLocal, callOf, receive, rpcPath, rpcPromise, walk, type PathReceiver } from "./rpc-path";

const NO_LONGER_RUNNING = "The execution context which hosts this callback is no longer running.";
const DISPOSED = "RPC stub used after being disposed.";

/**
 * The Durable Object instance the values behind stubs live in (the end of workerd's I/O
 * context; which request may use a stub is io-context.ts's): once it has ended, calls under way
 * fail with its error, later ones with workerd's.
 */
export class StubHost {
  #ended: { error: unknown } | undefined;
  readonly #listeners = new Set<(error: unknown) => void>();

  get ended(): { error: unknown } | undefined {
    return this.#ended;
  }

  /** Calls `listener` when the host ends; returns how to stop listening. */
  onEnd(listener: (error: unknown) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  end(error: unknown): void {
    if (this.#ended) return;
    this.#ended = { error };
    for (const listener of this.#listeners) listener(error);
    this.#listeners.clear();
  }
}

/**
 * The receiving side of one call: the stubs it was passed are disposed when it returns; those
 * it made from them (`dup()`) when the call's result is disposed, or at once if the result
 * holds no stub (nothing can call back into the call then), or when its context aborts.
 */
export class CallScope {
  readonly #params = new Set<() => void>();
  readonly #owned = new Set<() => void>();
  #ended = false;

  /** A stub this call received (`param`) or made. */
  own(dispose: () => void, param: boolean): void {
    if (this.#ended) return dispose();
    this.#owned.add(dispose);
    if (param) this.#params.add(dispose);
  }

  forget(dispose: () => void): void {
    this.#owned.delete(dispose);
    this.#params.delete(dispose);
  }

  /** The call returned: its parameters go, and everything once the result needs nothing. */
  returned(resultHoldsStubs: boolean): void {
    for (const dispose of [...this.#params]) dispose();
    if (!resultHoldsStubs) this.end();
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const dispose of [...this.#owned]) dispose();
  }
}

/** How many live stubs each value has; its `[Symbol.dispose]()` runs when none is left. */
const references = new WeakMap<object, number>();

function retain(value: object): void {
  references.set(value, (references.get(value) ?? 0) + 1);
}

function release(value: object): void {
  const left = (references.get(value) ?? 1) - 1;
  if (left > 0) return void references.set(value, left);
  references.delete(value);
  const dispose: unknown = Reflect.get(value, Symbol.dispose);
  if (typeof dispose === "function") queueMicrotask(() => dispose.call(value));
}

interface Handle {
  readonly value: object;
  readonly host: StubHost | undefined;
  /** The request context the value lives in: calls to it run there. */
  readonly home: IoContext | undefined;
  readonly disposed: boolean;
  dispose(): void;
}

const handles = new WeakMap<object, Handle>();

/**
 * A stub for a function or an `RpcTarget` passed over RPC: the receiver's calls and reads come
 * back to the original, with values cloned both ways; delivered a turn later, as over a
 * connection, in the request context the value lives in (`home`), and bound to `host` when
 * there is one. `scope` is the call that received it. The stub belongs to the current request
 * (a clone gives it to the receiver's); no other may use it, as on workerd.
 */
export function localStub(value: object, host?: StubHost, scope?: CallScope, param = true, home = currentIoContext()): object {
  retain(value);
  const handle = {
    value,
    host,
    home,
    disposed: false,
    dispose() {
      if (handle.disposed) return;
      handle.disposed = true;
      scope?.forget(handle.dispose);
      release(value);
    },
  };
  scope?.own(handle.dispose, param);
  const refused = (): Error | undefined => (handle.disposed ? new Error(DISPOSED) : contextError(stub, "Client"));
  const deliver = (run: () => unknown, callee?: CallScope): Promise<unknown> => {
    if (host?.ended) return Promise.reject(new Error(NO_LONGER_RUNNING));
    const caller = currentIoContext();
    const delivered = Promise.resolve().then(() => runInIoContext(home, () => receive(run, false, callee, caller)));
    return host ? untilEnd(delivered, host) : delivered;
  };
  const receiver: PathReceiver = {
    call(path, args) {
      const error = refused();
      if (error) return Promise.reject(error);
      const callee = new CallScope();
      const cloned = cloneForRpc(args, { scope: callee, params: true, ...(home && { owner: home }) });
      return deliver(() => callLocal(value, path, cloned), callee);
    },
    read(path) {
      const error = refused();
      return error ? Promise.reject(error) : deliver(() => walk(value, path).value);
    },
  };
  const dup = () => {
    if (handle.disposed) return Promise.reject(new Error(DISPOSED));
    requireOwnContext(stub, "Client");
    return localStub(value, host, scope, false, home);
  };
  const stub: object = new Proxy(typeof value === "function" ? function stub() {} : {}, {
    apply: (_, __, args: unknown[]) => rpcPromise(callOf(receiver, [], args)),
    get(_, property) {
      // What inspecting a stub reads (as `console.log` does) is not a call.
      if (property === "constructor") return RpcStub;
      if (property === "dup") return dup;
      if (property === Symbol.dispose) return handle.dispose;
      if (property === Symbol.toPrimitive) return () => "[object RpcStub]";
      return typeof property === "string" && property !== "then" ? rpcPath(receiver, [property]) : undefined;
    },
  });
  handles.set(stub, handle);
  stubs.add(stub);
  return claim(stub, currentIoContext());
}

/**
 * Passing a stub over RPC moves it: the receiver gets a stub of its own for the same value
 * (in `scope`, the call receiving it), and the one passed is disposed, unless `keep` (a
 * duplicate, as workerd's `rpc_params_dup_stubs` passes arguments).
 */
export function transferStub(stub: object, scope: CallScope | undefined, keep = false): object | undefined {
  const handle = handles.get(stub);
  if (!handle) return undefined;
  if (handle.disposed) throw new Error(DISPOSED);
  requireOwnContext(stub, "Client");
  const moved = localStub(handle.value, handle.host, scope, true, handle.home);
  if (!keep) handle.dispose();
  return moved;
}

/**
 * `new RpcStub(value)` of `cloudflare:workers`: a stub for a function, an `RpcTarget` or a plain
 * object, called as the receiver of an RPC would call it.
 */
export const RpcStub = Object.defineProperty(
  function RpcStub(value: object) {
    return localStub(value);
  },
  Symbol.hasInstance,
  { value: (value: unknown) => typeof value === "object" || typeof value === "function" ? value !== null && handles.has(value) : false },
) as unknown as new (value: object) => object;

/** Settles as `call`, or fails with the host's error if it ends first. */
function untilEnd(call: Promise<unknown>, host: StubHost): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const stop = host.onEnd(reject);
    call.then(resolve, reject).finally(stop);
  });
}
