import { SqliteError } from "../sqlite/errors";
import type { Compatibility } from "../compatibility";
import type { SqliteDatabase } from "../sqlite/types";
import { AlarmStore } from "../state/alarm-store";
import { DurableObject, type AlarmInvocationInfo } from "../state/base-classes";
import { asObjectCode } from "../state/fetch-gate";
import { currentIoContext, IoContext, runInIoContext } from "../io-context";
import { DurableObjectState } from "../state/state";
import type { Hibernation } from "../state/hibernation";
import type { ValueExternals } from "../state/value-codec";
import type { WebSocket, WebSocketData } from "../state/websocket";
import type { DurableObjectId } from "./id";
import { cloneForRpc, toRemoteError, type StubPlace } from "./rpc";
import { StubHost } from "./local-stub";
import { DurableObjectFacets, FacetManager, type FacetPlace, type FacetStore } from "./facets";

/** What a Durable Object class looks like from the outside. */
export type DurableObjectClass = new (ctx: DurableObjectState, env: never) => object;

/** What a live object needs from its namespace. */
export interface LiveObjectHost {
  readonly ctor: DurableObjectClass;
  readonly env: object;
  /** The Worker's loopback bindings, for `ctx.exports`. */
  readonly exports: Record<string, unknown>;
  /** The alarm time changed (null: no alarm). `retryCount` > 0 for a retry after a failure. */
  alarmChanged(id: DurableObjectId, time: number | null, retryCount?: number): void;
  /** The object was reset; later stubs must get a fresh instance. */
  reset(live: LiveObject): void;
  /** An event started or finished (for idle eviction). */
  activity(live: LiveObject): void;
  /** The object's hibernatable sockets, which outlive its instances. */
  hibernation(id: DurableObjectId): Hibernation;
  /** The output gate: resolves once the object's writes so far are durable (see `ObjectLifecycle.durable`). */
  durable(live: LiveObject): Promise<void>;
  /** Whether writes are stored at all (else the gate has nothing to wait for). */
  readonly persistent: boolean;
  /** What the Worker's compatibility date and flags turn on. */
  readonly compatibility: Compatibility;
  /** How stubs are stored in the object's storage. */
  readonly externals?: ValueExternals;
  /** `ctx.props` (a facet's, from its class handle). */
  readonly props?: Record<string, unknown>;
  /** Where the object's facets keep their databases. */
  readonly facetStore: FacetStore;
}

/**
 * What a failed commit resets the object with: workerd's message when the application left a
 * constraint violated (a deferred foreign key), else SQLite's error.
 */
function commitFailure(error: unknown): unknown {
  if (!(error instanceof SqliteError) || error.code !== "SQLITE_CONSTRAINT") return error;
  return new Error(
    `Durable Object was reset and rolled back to its last known good state because the application left the database in a state where constraints were violated: ${error.message}`,
  );
}

/** Who gets an event's error: a fetch() caller, an RPC caller, or nobody (alarms and socket events log it). */
type Delivery = "fetch" | "rpc" | "local";

interface Methods {
  fetch?(request: Request): Response | Promise<Response>;
  alarm?(info: AlarmInvocationInfo): unknown;
  webSocketMessage?(socket: WebSocket, message: WebSocketData): unknown;
  webSocketClose?(socket: WebSocket, code: number, reason: string, wasClean: boolean): unknown;
  webSocketError?(socket: WebSocket, error: unknown): unknown;
}

/** Where a stub's events go: a live instance here, or a replica that holds the object. */
export interface ObjectTarget {
  /** The I/O context of a live instance here, which all its events share. */
  readonly ioContext?: IoContext;
  /** Look the object up again before the next event. */
  readonly retired: boolean;
  fetch(request: Request): Promise<Response>;
  call(method: string, args: unknown[]): Promise<unknown>;
  property(name: string): Promise<unknown>;
}

/** One live instance of a Durable Object: its state, its object, and event dispatch. */
export class LiveObject implements ObjectTarget {
  readonly id: DurableObjectId;
  readonly db: SqliteDatabase;
  readonly state: DurableObjectState;
  /** The facets it started (`ctx.facets`). */
  readonly facets: FacetManager;
  #object: (object & Methods) | undefined;
  /** Why it was reset; `flagged` when its own code caused it (`ctx.abort()`, a failed `blockConcurrencyWhile` or constructor). */
  #broken: { error: unknown; flagged: boolean } | undefined;
  #inflight = 0;
  /** Open sockets handled with listeners in this instance. */
  #pinned = 0;
  #settled: (() => void)[] = [];
  #retired = false;
  readonly #host: LiveObjectHost;
  /** As workerd's, one per instance: what one request to the object makes, the next may use. */
  readonly ioContext = new IoContext(true);

  constructor(id: DurableObjectId, db: SqliteDatabase, host: LiveObjectHost, place: FacetPlace) {
    this.id = id;
    this.db = db;
    this.#host = host;
    this.facets = new FacetManager(this, host, place, host.facetStore);
    this.state = new DurableObjectState(id, db, {
      hasAlarmHandler: () => typeof this.#object?.alarm === "function" || typeof host.ctor.prototype.alarm === "function",
      alarmChanged: (time) => host.alarmChanged(id, time),
      reset: (error) => this.reset(error, true),
      ...(host.compatibility.ctxExports && { exports: host.exports }),
      deleteAllDeletesAlarm: host.compatibility.deleteAllDeletesAlarm,
      ...(host.persistent && { durable: () => host.durable(this) }),
      ...(host.externals && { externals: host.externals }),
      ...(host.props && { props: host.props }),
      facets: new DurableObjectFacets(this.facets),
      deletingAll: () => this.facets.deleteAll(),
    }, host.hibernation(id));
    try {
      this.#object = runInIoContext(this.ioContext, () => new host.ctor(this.state, host.env as never) as object & Methods);
    } catch (error) {
      this.reset(error, true);
    }
  }

  /** No event running or waiting and no background work: safe to evict. */
  get idle(): boolean {
    // Open hibernatable sockets do not count: they outlive the instance, as in workerd.
    return this.#inflight === 0 && this.#pinned === 0 && this.state.gate.idle && this.state.pendingWork === 0 && this.facets.idle;
  }

  /** Evicted: stubs holding this instance must look the object up again. */
  get retired(): boolean {
    return this.#retired;
  }

  /** Resolves once no event is running (background `waitUntil` work is not awaited). */
  settled(): Promise<void> {
    if (this.#inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#settled.push(resolve));
  }

  /** Set while the object is being evicted (cleared again if the eviction fails). */
  retire(retired: boolean): void {
    this.#retired = retired;
  }

  /** What the object hands out by reference (`RpcTarget`s, functions) lives as long as this instance. */
  readonly #stubHost = new StubHost();

  /** `flagged`: the object's own code reset it, and workerd marks what callers get `durableObjectReset`. */
  reset(error: unknown, flagged = false): void {
    if (this.#broken) return;
    this.#broken = { error, flagged };
    this.#stubHost.end(error);
    this.facets.abortAll(error);
    // Like workerd: writes not committed yet are lost with the instance (the alarm too).
    this.db.rollback();
    this.#host.alarmChanged(this.id, new AlarmStore(this.db).get());
    this.state.gate.break(error);
    this.#host.reset(this);
  }

  fetch(request: Request): Promise<Response> {
    return this.#event(async (object) => {
      if (typeof object.fetch !== "function") throw new Error("Handler does not export a fetch() function.");
      const response = await object.fetch(request);
      const socket = (response as Response & { webSocket?: WebSocket | null }).webSocket?.peer;
      if (socket && this.#host.persistent) socket.gateOutput(() => this.#host.durable(this));
      this.#pinWhileOpen(socket);
      return response;
    });
  }

  /**
   * A socket the object handles with listeners (`accept()`) lives in this instance: keep it
   * from eviction until the client closes. Hibernatable sockets outlive instances instead.
   */
  #pinWhileOpen(socket: WebSocket | undefined): void {
    if (!socket || socket.hibernatable) return;
    this.#pinned++;
    socket.onPeerClosed(() => {
      this.#pinned--;
      this.#host.activity(this);
    });
  }

  /** Calls `method` with cloned arguments and returns a clone of its result. */
  call(method: string, args: unknown[]): Promise<unknown> {
    const place = this.#resultPlace();
    return this.#event(async (object) => {
      const member = this.#member(object, method);
      if (typeof member?.value !== "function") {
        throw new TypeError(`The RPC receiver does not implement the method "${method}".`);
      }
      return cloneForRpc(await (member.value as (...a: unknown[]) => unknown).apply(object, args), place);
    }, "rpc");
  }

  /** Reads a property through the prototype (getters and methods; never instance fields). */
  property(name: string): Promise<unknown> {
    const place = this.#resultPlace();
    return this.#event(async (object) => {
      const member = this.#member(object, name);
      if (!member) throw new TypeError(`The RPC receiver does not implement the method "${name}".`);
      return cloneForRpc(member.get ? member.get.call(object) : member.value, place);
    }, "rpc");
  }

  /** Stubs in a result live in this instance and belong to the calling request. */
  #resultPlace(): StubPlace {
    const caller = currentIoContext();
    return { host: this.#stubHost, ...(caller && { owner: caller }) };
  }

  /** Runs the alarm handler once; on failure stores and schedules the retry (if any is left). */
  alarm(retryCount: number, retry: { baseDelayMs: number; maxRetries: number }): Promise<void> {
    return this.#event(async (object) => {
      const alarms = new AlarmStore(this.db);
      const due = alarms.get();
      if (due === null) return; // deleted since the timer was set
      if (due > Date.now()) return this.#host.alarmChanged(this.id, due, retryCount); // moved later
      alarms.delete(); // workerd's getAlarm() answers null inside the handler
      try {
        await object.alarm?.({ retryCount, isRetry: retryCount > 0, scheduledTime: due });
      } catch (error) {
        console.error(`dotdo: alarm handler of Durable Object ${this.id} threw (retry ${retryCount}):`, error);
        if (alarms.get() === null && retryCount < retry.maxRetries) {
          const at = Date.now() + retry.baseDelayMs * 2 ** retryCount;
          alarms.set(at);
          return this.#host.alarmChanged(this.id, at, retryCount + 1);
        }
      }
      // Done (or out of retries) with no new alarm set: tell the host it is gone.
      if (alarms.get() === null) this.#host.alarmChanged(this.id, null);
    }, "local");
  }

  /** Delivers a hibernatable socket's message to `webSocketMessage`, as an event. */
  socketMessage(socket: WebSocket, data: WebSocketData): Promise<void> {
    return this.#socketEvent((object) => object.webSocketMessage?.(socket, data));
  }

  /** Delivers a hibernatable socket's close to `webSocketClose`, as an event. */
  socketClose(socket: WebSocket, code: number, reason: string, wasClean: boolean): Promise<void> {
    return this.#socketEvent((object) => object.webSocketClose?.(socket, code, reason, wasClean));
  }

  /** Delivers a hibernatable socket's failure to `webSocketError`, as an event. */
  socketError(socket: WebSocket, error: Error): Promise<void> {
    return this.#socketEvent((object) => object.webSocketError?.(socket, error));
  }

  /** A throwing handler is logged (workerd does not pass it to `webSocketError`, which is for socket failures). */
  #socketEvent(run: (object: object & Methods) => unknown): Promise<void> {
    return this.#event(async (object) => void (await run(object)), "local").catch((error: unknown) =>
      console.error(`dotdo: WebSocket handler of Durable Object ${this.id} threw:`, error),
    );
  }

  async #event<T>(run: (object: object & Methods) => Promise<T>, delivery: Delivery = "fetch"): Promise<T> {
    if (this.#broken) throw this.#resetError(false);
    this.#inflight++;
    this.#host.activity(this);
    try {
      let outcome: { value: T } | { error: unknown };
      try {
        outcome = { value: await this.state.gate.deliver(() => this.#run(run, delivery)) };
      } catch (error) {
        outcome = { error };
      }
      // workerd commits at the end of each turn; an event's end is the closest point here.
      if (!this.#broken && !this.#retired) {
        try {
          this.db.commit();
        } catch (error) {
          this.reset(commitFailure(error));
          outcome = { error: this.#resetError(delivery === "fetch") };
        }
      }
      // The output gate: the result (or error) leaves only once the writes before it are
      // stored. Outside the input gate, so that other events' writes join the same batch.
      if (!this.#broken) await this.#host.durable(this);
      if ("error" in outcome) throw outcome.error;
      return outcome.value;
    } finally {
      this.#inflight--;
      if (this.#inflight === 0) for (const resolve of this.#settled.splice(0)) resolve();
      this.#host.activity(this);
    }
  }

  async #run<T>(run: (object: object & Methods) => Promise<T>, delivery: Delivery): Promise<T> {
    const object = this.#object;
    if (!object) throw this.#resetError(false);
    let result: T;
    try {
      const inContext = () => runInIoContext(this.ioContext, () => run(object));
      result = await (this.#host.persistent ? asObjectCode(() => this.state.storage.sync(), inContext) : inContext());
    } catch (error) {
      if (delivery === "local") throw error;
      throw this.#broken ? this.#resetError(delivery === "fetch") : toRemoteError(error, this.#host.compatibility.enhancedErrorSerialization);
    }
    // Reset while it ran (e.g. `ctx.abort()`): the event fails with the reset's error.
    if (this.#broken) throw delivery === "local" ? this.#broken.error : this.#resetError(delivery === "fetch");
    return result;
  }

  /**
   * What a call to the reset object fails with, as workerd hands it over: a copy of the reset's
   * error, `remote` in the fetch() that caused it, `durableObjectReset` when the object's own
   * code caused it.
   */
  #resetError(remote: boolean): Error {
    const { error, flagged } = this.#broken!;
    const copy: Error & { remote?: true; durableObjectReset?: true } = toRemoteError(error, this.#host.compatibility.enhancedErrorSerialization);
    if (!remote) delete copy.remote;
    if (flagged) copy.durableObjectReset = true;
    return copy;
  }

  #member(object: object, name: string): PropertyDescriptor | undefined {
    if (!(object instanceof DurableObject) && !this.#host.compatibility.jsRpc) {
      throw new TypeError(
        'The receiving Durable Object does not support RPC, because its class was not declared with `extends DurableObject`. In order to enable RPC, make sure your class extends the special class `DurableObject`, which can be imported from the module "cloudflare:workers".',
      );
    }
    const end = (proto: object) => proto === DurableObject.prototype || proto === Object.prototype;
    for (let proto = Object.getPrototypeOf(object); proto && !end(proto); proto = Object.getPrototypeOf(proto)) {
      if (name === "constructor") break;
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (descriptor) return descriptor;
    }
    return undefined;
  }
}
