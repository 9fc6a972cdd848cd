import type { Compatibility } from "../compatibility";
import { DotdoError } from "../errors";
import { SuspendableDatabase } from "../sqlite/suspendable-database";
import type { SqliteEngine } from "../sqlite/types";
import { AlarmStore } from "../state/alarm-store";
import { Hibernation } from "../state/hibernation";
import type { ValueExternals } from "../state/value-codec";
import { HeldElsewhereError } from "../cluster/errors";
import type { Membership } from "../cluster/membership";
import { RemoteObject } from "../cluster/remote-object";
import type { ForwardStats } from "../cluster/stats";
import { ObjectUnavailableError } from "./errors";
import { DurableObjectId } from "./id";
import type { ObjectLifecycle, ObjectRef } from "./lifecycle";
import type { FacetStore } from "./facets";
import { LiveObject, type DurableObjectClass, type LiveObjectHost, type ObjectTarget } from "./live-object";

export interface RegistryOptions {
  namespace: string;
  ctor: DurableObjectClass;
  env: object;
  /** The Worker's loopback bindings (`ctx.exports`); filled in once every namespace exists. */
  exports: Record<string, unknown>;
  engine: SqliteEngine;
  lifecycle?: ObjectLifecycle;
  /** Evict an object after this long without events; undefined: never. */
  evictAfterMs?: number;
  /** Close an idle object's SQLite connection (keeping the instance) after this long; undefined: never. */
  suspendAfterMs?: number;
  /** Alarm retries: first after `baseDelayMs`, doubling, at most `maxRetries` (workerd: 2 s, 6). */
  alarmRetry: { baseDelayMs: number; maxRetries: number };
  /** What the Worker's compatibility date and flags turn on. */
  compatibility: Compatibility;
  /** How stubs are stored in objects' storage (see `stubStorage`). */
  externals?: ValueExternals;
  /**
   * Replicas share objects: calls to one held elsewhere are forwarded there, signed with
   * `secret`. With `membership`, an object nobody holds opens on the replica placement picks.
   */
  cluster?: { secret: string; stats: ForwardStats; membership?: Membership };
}

/** How long a replica trusts a holder's address before reading the lease again. */
const REMOTE_TTL_MS = 2_000;

interface Entry {
  readonly id: DurableObjectId;
  readonly ref: ObjectRef;
  db: SuspendableDatabase;
  live: LiveObject | undefined;
  idleTimer?: ReturnType<typeof setTimeout>;
  suspendTimer?: ReturnType<typeof setTimeout>;
}

/** An object was reached after its worker was disposed. */
export class WorkerDisposedError extends DotdoError {
  constructor() {
    super("WORKER_DISPOSED", "This worker has been disposed");
  }
}

/** How long `dispose()` lets running events finish before evicting anyway. */
const DISPOSE_GRACE_MS = 10_000;

/** Longest delay setTimeout takes; later alarms re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The live objects of one namespace in this process: one instance per id, created lazily,
 * evicted when idle, and alarm timers that outlive eviction.
 */
export class ObjectRegistry implements LiveObjectHost {
  readonly ctor: DurableObjectClass;
  readonly env: object;
  readonly exports: Record<string, unknown>;
  readonly #options: RegistryOptions;
  readonly #entries = new Map<string, Promise<Entry>>();
  readonly #evicting = new Map<string, Promise<void>>();
  readonly #parked = new Map<string, Uint8Array>();
  readonly #alarms = new Map<string, { id: DurableObjectId; timer: ReturnType<typeof setTimeout> }>();
  /** Per object: its hibernatable sockets, kept while instances come and go. */
  readonly #hibernations = new Map<string, Hibernation>();
  /** Objects other replicas hold, by id: where calls to them go. */
  readonly #remotes = new Map<string, RemoteObject>();
  #disposed = false;

  constructor(options: RegistryOptions) {
    this.#options = options;
    this.ctor = options.ctor;
    this.env = options.env;
    this.exports = options.exports;
  }

  /** The namespace key (the same on every replica of one build). */
  get namespace(): string {
    return this.#options.namespace;
  }

  /**
   * Where events for `id` go: the live instance here, or, in a cluster, the replica whose lease
   * holds the object (see `RemoteObject`).
   */
  async target(id: DurableObjectId): Promise<ObjectTarget> {
    const key = id.toString();
    const remote = this.#remotes.get(key);
    if (remote && !remote.retired) return remote;
    this.#remotes.delete(key);
    const cluster = this.#options.cluster;
    if (!this.#entries.has(key)) {
      // Not open here: the owner placement picks opens it (or names its holder).
      const owner = await this.#placedElsewhere(key);
      if (owner !== undefined) return this.#remote(id, owner);
    }
    try {
      return await this.instance(id);
    } catch (error) {
      if (!(error instanceof HeldElsewhereError) || !cluster) throw error;
      return this.#remote(id, error.address);
    }
  }

  /** The replica placement picks for `key` when it is another one (undefined without placement). */
  async #placedElsewhere(key: string): Promise<string | undefined> {
    const membership = this.#options.cluster?.membership;
    if (!membership) return undefined;
    const owner = await membership.owner(`${this.namespace}/${key}`);
    return membership.isSelf(owner) ? undefined : owner;
  }

  #remote(id: DurableObjectId, address: string): RemoteObject {
    const { secret, stats, membership } = this.#options.cluster!;
    const remote = new RemoteObject({
      address,
      namespace: this.namespace,
      id,
      secret,
      stats,
      ttlMs: REMOTE_TTL_MS,
      ...(membership && { unreachable: (gone: string) => membership.suspect(gone) }),
    });
    this.#remotes.set(id.toString(), remote);
    return remote;
  }

  /** The live instance for `id`, created (or re-created after a reset or eviction) on demand. */
  async instance(id: DurableObjectId): Promise<LiveObject> {
    if (this.#disposed) throw new WorkerDisposedError();
    const key = id.toString();
    // A failed eviction keeps the object: carry on with it.
    await this.#evicting.get(key)?.catch(() => undefined);
    let pending = this.#entries.get(key);
    if (!pending) {
      pending = this.#open(id);
      this.#entries.set(key, pending);
      pending.catch(() => this.#entries.delete(key));
    }
    const entry = await pending;
    entry.live ??= new LiveObject(entry.id, entry.db, this, { ref: entry.ref, depth: 0 });
    return entry.live;
  }

  alarmChanged(id: DurableObjectId, time: number | null, retryCount = 0): void {
    const key = id.toString();
    this.#options.lifecycle?.alarmChanged?.(this.#ref(id), time);
    const current = this.#alarms.get(key);
    if (current) clearTimeout(current.timer);
    this.#alarms.delete(key);
    if (time === null || this.#disposed) return;
    const arm = (): void => {
      const wait = Math.min(Math.max(time - Date.now(), 0), MAX_TIMER_MS);
      // Timers may fire a little early (or be clamped for far alarms): re-arm until due.
      const timer = setTimeout(() => (Date.now() < time ? arm() : void this.#fireAlarm(id, retryCount)), wait);
      this.#alarms.set(key, { id, timer });
    };
    arm();
  }

  hibernation(id: DurableObjectId): Hibernation {
    const key = id.toString();
    let hibernation = this.#hibernations.get(key);
    if (!hibernation) {
      hibernation = new Hibernation({
        // The instance may have been evicted meanwhile: the event reopens the object.
        message: (socket, data) => void this.#withLive(id, (live) => live.socketMessage(socket, data)),
        close: (socket, code, reason, wasClean) => this.#withLive(id, (live) => live.socketClose(socket, code, reason, wasClean)),
        error: (socket, error) => this.#withLive(id, (live) => live.socketError(socket, error)),
      });
      this.#hibernations.set(key, hibernation);
    }
    return hibernation;
  }

  async #withLive(id: DurableObjectId, run: (live: LiveObject) => Promise<void>): Promise<void> {
    if (this.#disposed) return; // sockets closing at shutdown: nothing left to tell
    try {
      let live = await this.instance(id);
      while (live.retired) live = await this.instance(id); // being evicted: wait, reopen
      await run(live);
    } catch (error) {
      console.error(`dotdo: could not deliver a WebSocket event to Durable Object ${id}:`, error);
    }
  }

  get compatibility(): Compatibility {
    return this.#options.compatibility;
  }

  get externals(): ValueExternals | undefined {
    return this.#options.externals;
  }

  /** Facets' databases being saved, by ref id: reopening one waits (an instance of its parent's before a reset may be closing it). */
  readonly #closingFacets = new Map<string, Promise<void>>();

  /** Facets' databases: opened, made durable and saved as objects are (parked in memory without persistence). */
  readonly facetStore: FacetStore = {
    open: async (ref) => {
      await this.#closingFacets.get(ref.id)?.catch(() => undefined);
      if (this.#disposed) throw new WorkerDisposedError();
      return this.#openDatabase(ref);
    },
    close: (ref, db, stopping) => {
      const { lifecycle } = this.#options;
      const closing = (async () => {
        if (lifecycle?.beforeEvict) await lifecycle.beforeEvict(ref, db, stopping);
        else this.#parked.set(ref.id, db.export());
        db.close();
      })();
      this.#closingFacets.set(ref.id, closing);
      const forget = () => this.#closingFacets.get(ref.id) === closing && this.#closingFacets.delete(ref.id);
      closing.then(forget, forget);
      return closing;
    },
    durable: async (ref, db) => {
      await this.#options.lifecycle?.durable?.(ref, db);
    },
  };


  get persistent(): boolean {
    return this.#options.lifecycle?.durable !== undefined;
  }

  /**
   * Waits for the writes of the object's current instance (a hibernatable socket outlives the
   * instance that accepted it, so `live` may be an older one).
   */
  async durable(live: LiveObject): Promise<void> {
    const { lifecycle } = this.#options;
    if (!lifecycle?.durable) return;
    const entry = await this.#entries.get(live.id.toString())?.catch(() => undefined);
    if (!entry) return; // not open: nothing unsaved
    try {
      await lifecycle.durable(entry.ref, entry.db);
    } catch (error) {
      await this.#discard(entry, error);
      throw new ObjectUnavailableError(entry.ref.id, error);
    }
  }

  /**
   * Drops an object whose state is ahead of what could be stored, without saving it: the
   * next event opens it again from the store (the writes that failed are gone, as on Cloudflare).
   */
  async #discard(entry: Entry, error: unknown): Promise<void> {
    const key = entry.ref.id;
    if ((await this.#entries.get(key)?.catch(() => undefined)) !== entry) return; // dropped by another waiter
    this.#entries.delete(key);
    const live = entry.live;
    live?.retire(true);
    live?.reset(error);
    clearTimeout(entry.idleTimer);
    clearTimeout(entry.suspendTimer);
    entry.live = undefined;
    // Frames these sockets were promised may be lost with the state: break them, as a reset does.
    const hibernation = this.#hibernations.get(key);
    this.#hibernations.delete(key);
    for (const socket of hibernation?.sockets() ?? []) socket.close(1011, "Durable Object reset: its writes could not be stored");
    try {
      await this.#options.lifecycle?.discard?.(entry.ref, entry.db);
    } finally {
      entry.db.close();
    }
  }

  reset(live: LiveObject): void {
    // A failed open (the entry may be a new one by now) is its own caller's to report.
    void this.#entries.get(live.id.toString())?.then((entry) => {
      if (entry.live === live) entry.live = undefined;
      if (this.#options.lifecycle?.restorePending?.(entry.db)) {
        this.#evictIfIdle(entry, true).catch((error: unknown) => console.error(`dotdo: could not close Durable Object ${entry.ref.id} to restore its bookmark:`, error));
      }
    }, () => undefined);
  }

  activity(live: LiveObject): void {
    const { evictAfterMs, suspendAfterMs } = this.#options;
    if (evictAfterMs === undefined && suspendAfterMs === undefined) return;
    void this.#entries.get(live.id.toString())?.then((entry) => {
      if (entry.db !== live.db) return; // dropped and opened anew meanwhile
      clearTimeout(entry.idleTimer);
      if (evictAfterMs !== undefined) entry.idleTimer = background(() => this.#evictWhenIdle(entry, evictAfterMs), evictAfterMs);
      if (suspendAfterMs !== undefined) this.#armSuspend(entry, suspendAfterMs);
    }, () => undefined);
  }

  /**
   * Suspends the connection once the object has been idle this long, and keeps checking:
   * something other than an event (a checkpoint reading the tables) may reopen it.
   */
  #armSuspend(entry: Entry, afterMs: number): void {
    clearTimeout(entry.suspendTimer);
    entry.suspendTimer = background(() => {
      if (this.#evicting.has(entry.ref.id) || !this.#entries.has(entry.ref.id)) return;
      if (entry.live?.idle !== false && !entry.db.suspended) {
        try {
          entry.db.suspend();
        } catch (error) {
          console.error(`dotdo: could not suspend Durable Object ${entry.ref.id}'s database:`, error);
        }
      }
      this.#armSuspend(entry, afterMs);
    }, afterMs);
  }

  /**
   * Opens an object without sending it an event, so a stored alarm gets scheduled: the
   * persistence layer calls this at start-up for objects it knows have alarms.
   */
  async wake(id: DurableObjectId | string): Promise<void> {
    const objectId = typeof id === "string" ? new DurableObjectId(id) : id;
    // With placement, the replica it picks wakes the object (and so fires its alarm).
    if ((await this.#placedElsewhere(objectId.toString())) !== undefined) return;
    await this.instance(objectId);
    // Listed but holding no alarm (an index entry left by a lost write): drop the entry.
    if (!this.#alarms.has(objectId.toString())) this.#options.lifecycle?.alarmChanged?.(this.#ref(objectId), null);
  }

  /** Ids of the objects live in this process. */
  get liveIds(): string[] {
    return [...this.#entries.keys()];
  }

  /** Evicts `id` now if it is live and idle (busy objects stay); resolves when done. */
  async evict(id: string): Promise<void> {
    const entry = await this.#entries.get(id);
    if (entry) await this.#evictIfIdle(entry);
  }

  /**
   * Stops alarms and evicts every object (running `beforeEvict`), after letting running
   * events finish for up to `graceMs`.
   */
  async dispose(graceMs = DISPOSE_GRACE_MS): Promise<void> {
    this.#disposed = true;
    for (const { timer } of this.#alarms.values()) clearTimeout(timer);
    this.#alarms.clear();
    const entries = (await Promise.allSettled(this.#entries.values())).flatMap((result) =>
      result.status === "fulfilled" ? [result.value] : [],
    );
    // Sockets are told the object is going away (their close handlers no longer run).
    for (const hibernation of this.#hibernations.values()) {
      for (const socket of hibernation.sockets()) socket.close(1001, "Durable Object is shutting down");
    }
    this.#hibernations.clear();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all(entries.map((entry) => entry.live?.settled())), grace]);
    clearTimeout(timer);
    await Promise.all(entries.map((entry) => this.#evictIfIdle(entry, true)));
  }

  #ref(id: DurableObjectId): ObjectRef {
    return { namespace: this.#options.namespace, id: id.toString(), ...(id.name === undefined ? {} : { name: id.name }) };
  }

  async #open(id: DurableObjectId): Promise<Entry> {
    const ref = this.#ref(id);
    const db = await this.#openDatabase(ref);
    const alarm = new AlarmStore(db).get();
    if (alarm !== null && !this.#alarms.has(ref.id)) this.alarmChanged(id, alarm);
    return { id, ref, db, live: undefined };
  }

  /** An object's database, from the store (or the image parked at its eviction). */
  async #openDatabase(ref: ObjectRef): Promise<SuspendableDatabase> {
    const { lifecycle, engine } = this.#options;
    const image = lifecycle?.load ? await lifecycle.load(ref) : this.#parked.get(ref.id);
    this.#parked.delete(ref.id);
    const db = new SuspendableDatabase((bytes) => engine.open(bytes), image);
    await lifecycle?.opened?.(ref, db);
    return db;
  }

  async #fireAlarm(id: DurableObjectId, retryCount: number): Promise<void> {
    this.#alarms.delete(id.toString());
    try {
      let live = await this.instance(id);
      while (live.retired) live = await this.instance(id); // being evicted: wait, reopen
      await live.alarm(retryCount, this.#options.alarmRetry);
    } catch {
      // A reset or disposed object: its alarm stays stored and fires when it next opens.
    }
  }

  /** Idle eviction: a failing `beforeEvict` keeps the object and is tried again later. */
  #evictWhenIdle(entry: Entry, retryAfterMs: number): void {
    this.#evictIfIdle(entry).catch((error: unknown) => {
      console.error(`dotdo: could not evict Durable Object ${entry.ref.id}; keeping it:`, error);
      if (this.#entries.has(entry.ref.id)) entry.idleTimer = background(() => this.#evictWhenIdle(entry, retryAfterMs), retryAfterMs);
    });
  }

  async #evictIfIdle(entry: Entry, force = false): Promise<void> {
    const key = entry.ref.id;
    if (this.#evicting.has(key)) return this.#evicting.get(key);
    if (entry.live && !entry.live.idle && !force) return;
    // Stubs holding the instance must wait for the eviction and reopen the object, so no
    // write lands after `beforeEvict` has saved the database.
    const live = entry.live;
    live?.retire(true);
    const eviction = (async () => {
      clearTimeout(entry.idleTimer);
      clearTimeout(entry.suspendTimer);
      const { lifecycle } = this.#options;
      try {
        // Facets live within their parent's storage: they are saved first, and go with it.
        await live?.facets.close(force);
        if (lifecycle?.beforeEvict) await lifecycle.beforeEvict(entry.ref, entry.db, force);
        else this.#parked.set(key, entry.db.export());
      } catch (error) {
        live?.retire(false);
        throw error;
      }
      this.#entries.delete(key);
      if (this.#hibernations.get(key)?.open === 0) this.#hibernations.delete(key);
      entry.live = undefined;
      entry.db.close();
    })();
    this.#evicting.set(key, eviction);
    try {
      await eviction;
    } finally {
      this.#evicting.delete(key);
    }
  }
}

/** A housekeeping timer that does not keep the process alive (where timers can be unref'd). */
function background(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
  const timer = setTimeout(fn, ms);
  (timer as { unref?(): void }).unref?.();
  return timer;
}
