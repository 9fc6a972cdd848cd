import type { SqliteDatabase } from "../sqlite/types";
import { InputGate } from "./input-gate";
import type { Hibernation } from "./hibernation";
import { DurableObjectStorage, type StorageOwner } from "./storage";
import type { DurableObjectFacets } from "../namespace/facets";
import type { ValueExternals } from "./value-codec";
import type { WebSocket, WebSocketRequestResponsePair } from "./websocket";

/** The id an object sees as `ctx.id`. */
export interface DurableObjectIdLike {
  toString(): string;
  equals(other: DurableObjectIdLike): boolean;
  readonly name?: string;
}

/** What the namespace tells the state about the object it belongs to. */
export interface StateOwner extends StorageOwner {
  /** `blockConcurrencyWhile`'s callback threw: workerd resets the object. */
  reset(error: unknown): void;
  /** The Worker's loopback bindings (`ctx.exports`); none without `enable_ctx_exports`. */
  readonly exports?: Record<string, unknown>;
  /** `ctx.props`: what the class handle that started the object carried (a facet's); else none. */
  readonly props?: Record<string, unknown>;
  /** How stubs are stored in its storage (see `stubStorage`). */
  readonly externals?: ValueExternals;
  /** `ctx.facets`: the child objects it starts. */
  readonly facets?: DurableObjectFacets;
}

/** workerd's MAX_BLOCK_CONCURRENCY_WHILE_DEPTH (io-context.h). */
const MAX_BLOCK_DEPTH = 64;

// The database behind each state, for the persistence layer (kept off the public `ctx`).
const databases = new WeakMap<DurableObjectState, SqliteDatabase>();

/** The SQLite database of the object `state` belongs to. */
export function databaseOf(state: DurableObjectState): SqliteDatabase | undefined {
  return databases.get(state);
}

/** `ctx` for a Durable Object: id, storage, the input gate and background work. */
export class DurableObjectState {
  readonly id: DurableObjectIdLike;
  readonly storage: DurableObjectStorage;
  /** The Worker's own exports as bindings: its Durable Object namespaces and entrypoints (`enable_ctx_exports`). */
  readonly exports: Record<string, unknown> | undefined;
  /** The props of the class handle the object was started with, as workerd gives a facet (`{}` otherwise). */
  readonly props: Record<string, unknown>;
  /** Child objects with storage of their own, within this one's (workerd's `ctx.facets`). */
  readonly facets: DurableObjectFacets | undefined;
  /** The gate every event for this object passes through (used by the namespace). */
  readonly gate = new InputGate();
  readonly #owner: StateOwner;
  readonly #pending = new Set<Promise<unknown>>();
  readonly #hibernation: Hibernation;

  /** `hibernation` outlives this state: the object's sockets stay open across evictions. */
  constructor(id: DurableObjectIdLike, db: SqliteDatabase, owner: StateOwner, hibernation: Hibernation) {
    databases.set(this, db);
    this.id = id;
    this.exports = owner.exports;
    this.props = owner.props ?? {};
    this.facets = owner.facets;
    this.#owner = owner;
    this.#hibernation = hibernation;
    const gate = this.gate;
    this.storage = new DurableObjectStorage(db, {
      hasAlarmHandler: () => owner.hasAlarmHandler(),
      alarmChanged: (time) => owner.alarmChanged(time),
      storageUsed: () => gate.storageUsed(),
      block: (fn) => gate.block(fn),
      ...(owner.durable && { durable: () => owner.durable!() }),
      ...(owner.deleteAllDeletesAlarm && { deleteAllDeletesAlarm: true }),
      ...(owner.externals && { externals: owner.externals }),
      ...(owner.deletingAll && { deletingAll: () => owner.deletingAll!() }),
      reset: (error) => owner.reset(error),
    });
  }

  /**
   * Runs `fn` while no other event may start; if it throws, the object is reset. Nesting
   * deeper than workerd allows throws at once (and resets nothing).
   */
  blockConcurrencyWhile<T>(fn: () => T | Promise<T>): Promise<T> {
    if (this.gate.blockDepth >= MAX_BLOCK_DEPTH) throw new Error("blockConcurrencyWhile() calls are nested too deeply.");
    return this.#blockWhile(fn);
  }

  async #blockWhile<T>(fn: () => T | Promise<T>): Promise<T> {
    // workerd takes the input lock asynchronously, and its implicit transaction commits in
    // between: the callback starts outside it (so e.g. `PRAGMA foreign_keys` takes effect).
    databases.get(this)!.commit();
    try {
      return await this.gate.block(fn);
    } catch (error) {
      this.#owner.reset(error);
      throw error;
    }
  }

  /** Keeps the object alive (not evicted) until `promise` settles. */
  waitUntil(promise: Promise<unknown>): void {
    const tracked = Promise.resolve(promise).catch(() => undefined);
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }

  /** Takes a socket into the hibernation API: its traffic goes to `webSocketMessage`/`webSocketClose`. */
  acceptWebSocket(socket: WebSocket, tags?: string[]): void {
    this.#hibernation.accept(socket, tags);
    const durable = this.#owner.durable;
    if (durable) socket.gateOutput(() => durable());
  }

  getWebSockets(tag?: string): WebSocket[] {
    return this.#hibernation.sockets(tag);
  }

  getTags(socket: WebSocket): string[] {
    return this.#hibernation.tags(socket);
  }

  setWebSocketAutoResponse(pair?: WebSocketRequestResponsePair): void {
    this.#hibernation.setAutoResponse(pair);
  }

  getWebSocketAutoResponse(): WebSocketRequestResponsePair | null {
    return this.#hibernation.autoResponse;
  }

  getWebSocketAutoResponseTimestamp(socket: WebSocket): Date | null {
    return this.#hibernation.autoResponseTimestamp(socket);
  }

  setHibernatableWebSocketEventTimeout(ms?: number): void {
    this.#hibernation.eventTimeout = ms ?? null;
  }

  getHibernatableWebSocketEventTimeout(): number | null {
    return this.#hibernation.eventTimeout;
  }

  /** Background work still running (from `waitUntil`). */
  get pendingWork(): number {
    return this.#pending.size;
  }

  /**
   * Resets the object, like workerd's `ctx.abort()`: the running event and every later one
   * through the same stub fail with `Error(String(reason))`; writes not committed are lost.
   */
  abort(reason?: unknown): never {
    const error = new Error(reason === undefined ? "Durable Object was aborted." : String(reason));
    this.#owner.reset(error);
    throw error;
  }
}
