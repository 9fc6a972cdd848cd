/**
 * Facets (workerd's `ctx.facets`): child Durable Object instances a parent starts by name, each
 * with a SQLite database of its own that lives within the parent's storage. A facet's database
 * is kept as an object of its own keyed under the parent's (`{parent}/facets/{name}`), opened,
 * made durable and saved through the same store as the parent, and closed with it.
 */
import { errorWithCode } from "../errors";
import type { SqliteDatabase } from "../sqlite/types";
import { tableSlug } from "../persistence/keys";
import { Hibernation } from "../state/hibernation";
import { DurableObjectStorage } from "../state/storage";
import { DurableObjectId } from "./id";
import type { ObjectRef } from "./lifecycle";
import { LiveObject, type LiveObjectHost } from "./live-object";
import { facetClassOf, type ObjectClassHandle } from "./object-class";
import { createStub, type DurableObjectStub } from "./stub";

/** workerd's MAX_FACET_TREE_DEPTH: the root object and at most three levels of facets. */
const MAX_DEPTH = 4;

/** Where facets' databases are kept: the parent's store (see `ObjectRegistry.facetStore`). */
export interface FacetStore {
  open(ref: ObjectRef): Promise<SqliteDatabase>;
  /** Saves and closes a facet's database (its parent is evicted, or it was aborted). */
  close(ref: ObjectRef, db: SqliteDatabase, stopping: boolean): Promise<void>;
  durable(ref: ObjectRef, db: SqliteDatabase): Promise<void>;
}

/** Where an object stands in its facet tree. */
export interface FacetPlace {
  readonly ref: ObjectRef;
  /** 0 for the root object. */
  readonly depth: number;
}

/** What `ctx.facets.get()`'s callback returns. */
export interface FacetStartupOptions {
  class: unknown;
  id?: DurableObjectId | string;
}

/** A facet name workerd refuses. */
export class FacetNameError extends errorWithCode("FACET_NAME_INVALID") {}
/** Facets nested deeper than workerd allows. */
export class FacetDepthError extends errorWithCode("FACET_DEPTH_EXCEEDED") {}
/** `ctx.facets.clone()`, which the shim does not implement (docs/compat.md). */
export class FacetCloneUnsupportedError extends errorWithCode("FACET_CLONE_UNSUPPORTED") {}

const INCORRECT_CLASS =
  "Incorrect type for the 'class' field on 'StartupOptions': the provided value is not of type 'DurableObjectClass or LoopbackDurableObjectNamespace or LoopbackColoLocalActorNamespace'.";

interface Running {
  readonly name: string;
  readonly ref: ObjectRef;
  readonly db: SqliteDatabase;
  live: LiveObject;
}

/** The facets of one live object: started on demand, saved and closed with it. */
export class FacetManager {
  readonly #parent: LiveObject;
  readonly #host: LiveObjectHost;
  readonly #place: FacetPlace;
  readonly #store: FacetStore;
  /** Facets starting or running, by name. */
  readonly #running = new Map<string, Promise<Running>>();
  /** Those started, for the idle check. */
  readonly #started = new Map<string, Running>();
  /** Work a name waits for before it starts again: its database closing, or being wiped. */
  readonly #pending = new Map<string, Promise<void>>();
  /** Starts aborted before they finished, with the reason. */
  readonly #abortedStarts = new WeakMap<Promise<Running>, unknown>();

  constructor(parent: LiveObject, host: LiveObjectHost, place: FacetPlace, store: FacetStore) {
    this.#parent = parent;
    this.#host = host;
    this.#place = place;
    this.#store = store;
  }

  get(name: string, startup: () => FacetStartupOptions | Promise<FacetStartupOptions>): DurableObjectStub {
    checkName(name);
    if (this.#place.depth + 1 >= MAX_DEPTH) {
      throw new FacetDepthError(`Facet nesting depth limit exceeded. The maximum depth including the root Durable Object is ${MAX_DEPTH}.`);
    }
    // The stub keeps the instance it first reached: an aborted facet keeps failing through it, as on workerd.
    return createStub(this.#parent.id, async () => (await this.#start(name, startup)).live, this.#host.compatibility, { anonymous: true });
  }

  /** Resets the facet with `reason` (its uncommitted writes are lost); a later `get()` starts it again. */
  abort(name: string, reason: unknown): void {
    checkName(name);
    this.#abort(name, reason);
  }

  /** Aborts the facet and deletes its data and its facets' (a later `get()` starts it empty). */
  delete(name: string): void {
    checkName(name);
    this.#abort(name, new Error("Facet was deleted."));
    this.#track(name, () => this.#wipe(facetRef(this.#place.ref, name)));
  }

  /** The parent's `deleteAll()`: every facet it started goes too, as on workerd. */
  deleteAll(): void {
    for (const name of startedFacets(this.#parent.db)) this.delete(name);
  }

  /** Deletes the data of the facet at `ref` and of every facet it started, depth first. */
  async #wipe(ref: ObjectRef): Promise<void> {
    const db = await this.#store.open(ref);
    try {
      for (const child of startedFacets(db)) await this.#wipe(facetRef(ref, child));
      const storage = new DurableObjectStorage(db, { hasAlarmHandler: () => false, alarmChanged() {}, deleteAllDeletesAlarm: true });
      await storage.deleteAll();
      db.commit();
      await this.#store.durable(ref, db);
    } finally {
      await this.#store.close(ref, db, false);
    }
  }

  /** Saves and closes every facet (the parent is being evicted, or was reset). */
  async close(stopping: boolean): Promise<void> {
    await Promise.allSettled(
      [...this.#running.entries()].map(async ([name, entry]) => {
        const running = await entry.catch(() => undefined);
        if (!running) return;
        running.live.retire(true);
        await running.live.settled();
        this.#retire(name, running, stopping);
      }),
    );
    await Promise.allSettled(this.#pending.values());
  }

  /** Resets every running facet with the parent's error. */
  abortAll(error: unknown): void {
    for (const name of [...this.#running.keys()]) this.#abort(name, error);
  }

  /** No facet is running an event. */
  get idle(): boolean {
    return [...this.#started.values()].every((running) => running.live.idle);
  }

  #start(name: string, startup: () => FacetStartupOptions | Promise<FacetStartupOptions>): Promise<Running> {
    let entry = this.#running.get(name);
    if (!entry) {
      const started = this.#open(name, startup);
      this.#running.set(name, started);
      started.then(
        (running) => {
          if (this.#running.get(name) === started) return void this.#started.set(name, running);
          // Aborted while it started: it fails with the reason, and its database closes.
          running.live.reset(this.#abortedStarts.get(started));
          this.#track(name, () => this.#store.close(running.ref, running.db, false));
        },
        () => this.#running.get(name) === started && this.#running.delete(name),
      );
      entry = started;
    }
    return entry;
  }

  async #open(name: string, startup: () => FacetStartupOptions | Promise<FacetStartupOptions>): Promise<Running> {
    await this.#pending.get(name)?.catch(() => undefined);
    const options = await startup();
    const handle = facetClassOf(options?.class);
    if (!handle) throw new TypeError(INCORRECT_CLASS);
    const id = options.id === undefined ? this.#parent.id : typeof options.id === "string" ? new DurableObjectId(options.id) : options.id;
    const ref = facetRef(this.#place.ref, name);
    recordFacet(this.#parent.db, name);
    const db = await this.#store.open(ref);
    const running: Running = { name, ref, db, live: undefined as unknown as LiveObject };
    running.live = this.#instance(running, id, handle);
    return running;
  }

  #instance(running: Running, id: DurableObjectId, handle: ObjectClassHandle): LiveObject {
    const parentHost = this.#host;
    const store = this.#store;
    const hibernation = new Hibernation({
      message: (socket, data) => void running.live.socketMessage(socket, data),
      close: (socket, code, reason, wasClean) => running.live.socketClose(socket, code, reason, wasClean),
      error: (socket, error) => running.live.socketError(socket, error),
    });
    const host: LiveObjectHost = {
      ctor: handle.ctor,
      env: parentHost.env,
      exports: parentHost.exports,
      props: handle.props,
      compatibility: parentHost.compatibility,
      persistent: parentHost.persistent,
      ...(parentHost.externals && { externals: parentHost.externals }),
      facetStore: store,
      // A facet's alarm is stored but never fires (docs/compat.md).
      alarmChanged() {},
      // Reset (aborted, or its code failed): its database closes, and the next start opens it again.
      reset: (live) => {
        if (running.live === live) this.#retire(running.name, running, false);
      },
      activity: () => parentHost.activity(this.#parent),
      hibernation: () => hibernation,
      durable: () => store.durable(running.ref, running.db),
    };
    return new LiveObject(id, running.db, host, { ref: running.ref, depth: this.#place.depth + 1 });
  }

  #abort(name: string, reason: unknown): void {
    const running = this.#started.get(name);
    if (running) return running.live.reset(reason);
    const starting = this.#running.get(name);
    if (!starting) return;
    this.#abortedStarts.set(starting, reason);
    this.#running.delete(name);
  }

  /** Forgets the facet's instance, then saves and closes its facets and its database. */
  #retire(name: string, running: Running, stopping: boolean): void {
    if (this.#started.get(name) !== running) return;
    this.#started.delete(name);
    this.#running.delete(name);
    this.#track(name, async () => {
      await running.live.facets.close(stopping);
      await this.#store.close(running.ref, running.db, stopping);
    });
  }

  #track(name: string, work: () => Promise<void>): void {
    const previous = this.#pending.get(name);
    const next = (async () => {
      await previous?.catch(() => undefined);
      await work();
    })();
    this.#pending.set(name, next);
    next.then(
      () => this.#pending.get(name) === next && this.#pending.delete(name),
      (error: unknown) => console.error(`dotdo: could not close facet "${name}" of Durable Object ${this.#place.ref.id}:`, error),
    );
  }
}

/** Where a facet's database is kept: an object of its own, keyed under its parent's. */
function facetRef(parent: ObjectRef, name: string): ObjectRef {
  return { namespace: parent.namespace, id: `${parent.id}/facets/${tableSlug(name)}` };
}

/**
 * Each object lists the facets it started in its own database (hidden, like `_cf_KV`), so that
 * deleting one deletes its facets too, as workerd's facet tree index does.
 */
const FACETS_TABLE = "_cf_FACETS";

function recordFacet(db: SqliteDatabase, name: string): void {
  if (startedFacets(db).includes(name)) return;
  db.query(`CREATE TABLE IF NOT EXISTS ${FACETS_TABLE} (name TEXT PRIMARY KEY) WITHOUT ROWID`);
  db.query(`INSERT INTO ${FACETS_TABLE} (name) VALUES (?)`, [name]);
  db.noteWrite(FACETS_TABLE, 1);
}

function startedFacets(db: SqliteDatabase): string[] {
  const [exists] = db.query(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '${FACETS_TABLE}'`);
  return exists ? db.query(`SELECT name FROM ${FACETS_TABLE}`).map(([name]) => String(name)) : [];
}

function checkName(name: string): void {
  if (typeof name !== "string" || name.length === 0) throw new FacetNameError("Facet name cannot be empty");
}

/** `ctx.facets`: workerd's `DurableObjectFacets`. */
export class DurableObjectFacets {
  readonly #manager: FacetManager;

  constructor(manager: FacetManager) {
    this.#manager = manager;
  }

  get(name: string, getStartupOptions: () => FacetStartupOptions | Promise<FacetStartupOptions>): DurableObjectStub {
    return this.#manager.get(`${name}`, getStartupOptions);
  }

  abort(name: string, reason: unknown): void {
    this.#manager.abort(`${name}`, reason);
  }

  delete(name: string): void {
    this.#manager.delete(`${name}`);
  }

  clone(_source: string, _destination: string): never {
    throw new FacetCloneUnsupportedError("ctx.facets.clone() is not implemented off Cloudflare: copy the data through the facets' own methods");
  }
}
