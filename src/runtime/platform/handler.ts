import { DotdoError } from "../errors";
import type { ObjectLifecycle } from "../namespace/lifecycle";
import { persistenceLifecycle, type PersistenceLifecycle } from "../persistence/index";
import type { SqliteDatabase } from "../sqlite/types";
import type { StorageEnv } from "../storage/config";
import type { ObjectStore } from "../storage/types";
import type { CreateWorkerOptions, Worker } from "../worker";

/** Settings that name a store (see `storeConfigFromEnv`); with none of them, nothing would last. */
const STORAGE_SETTINGS = ["DOTDO_STORAGE", "R2_BUCKET", "JWT_TOKEN"] as const;

/**
 * Leases are held for one request at a time, so a short ttl lets another instance take over
 * soon after one is stopped mid-request, well within an edge function's time to first byte.
 */
const HANDLER_LEASE_TTL_MS = 10_000;

/** Objects opened by something other than a request (an alarm) are saved and let go when idle this long. */
const HANDLER_EVICT_AFTER_MS = 1_000;

/** A handler output started with no store configured: its objects would vanish with the instance. */
export class StorageNotConfiguredError extends DotdoError {
  constructor() {
    super(
      "STORAGE_NOT_CONFIGURED",
      "dotdo: no storage is configured, so Durable Object state would live only in this instance's memory and be lost " +
        "when the platform stops it. Set JWT_TOKEN + DOTDO_GATEWAY_URL (the storage gateway), or DOTDO_STORAGE=s3://bucket/prefix " +
        "(with R2_ENDPOINT, R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY), or DOTDO_STORAGE=<gateway https:// URL> with JWT_TOKEN. " +
        "DOTDO_STORAGE=memory: keeps state in memory on purpose.",
    );
  }
}

/** A Worker started by `startHandlerWorker`. */
export interface HandlerWorker {
  worker: Worker;
  persistence: PersistenceLifecycle;
  /** The databases of the objects open in this instance. */
  open: Set<SqliteDatabase>;
}

export interface HandlerOptions {
  /** The platform's environment, read on the first request (`process.env` on Vercel). */
  env(): StorageEnv;
  /** Opens the store the environment names; what a build can open depends on its target. */
  openStore(env: StorageEnv): Promise<ObjectStore>;
  /** Starts the Worker with these options added to the project's own. */
  startWorker(options: Pick<CreateWorkerOptions, "lifecycle" | "evictAfterMs">): Promise<Worker>;
}

/**
 * The request handler of a platform that calls a function per request (Vercel Edge and
 * Vercel's Node.js functions). Such a platform may freeze or drop an instance as soon as it
 * has answered, and runs many instances at once, so nothing may stay only in memory or hold
 * an object between requests: after each request every idle object is checkpointed and its
 * lease released before the response goes out, and the next request restores it (in this
 * instance or any other). A response is sent only once its writes are stored; if they cannot
 * be, the answer is a 503. With no store configured, every request is a 500 naming the settings.
 */
export function persistentHandler(options: HandlerOptions): (request: Request) => Promise<Response> {
  let started: Promise<HandlerWorker> | undefined;

  return async (request) => {
    started ??= startHandlerWorker(options).catch((error: unknown) => {
      console.error("dotdo: the Worker could not start:", error);
      throw error;
    });
    let running: HandlerWorker;
    try {
      running = await started;
    } catch (error) {
      return new Response(messageOf(error), { status: 500, headers: { "content-type": "text/plain; charset=utf-8" } });
    }
    const response = await running.worker.fetch(request);
    try {
      await saveAndRelease(running);
      return response;
    } catch (error) {
      console.error("dotdo: a request's changes could not be stored:", error);
      return new Response(`dotdo: this request's changes could not be stored: ${messageOf(error)}`, { status: 503 });
    }
  };
}

/**
 * Starts the Worker for a per-request platform: its objects are persisted through the store
 * the environment names, with short leases, and `saveAndRelease` lets them go after each
 * request. Rejects with `StorageNotConfiguredError` when no store is named.
 */
export async function startHandlerWorker(options: HandlerOptions): Promise<HandlerWorker> {
  const env = options.env();
  if (!STORAGE_SETTINGS.some((name) => isSet(env[name]))) throw new StorageNotConfiguredError();
  const persistence = persistenceLifecycle({
    store: await options.openStore(env),
    holder: crypto.randomUUID(),
    leaseTtlMs: HANDLER_LEASE_TTL_MS,
    // Every request stops its objects: leaving a big image each time would cost more than it saves.
    leaveImage: false,
    onError: (error, ref) => console.error(`dotdo: Durable Object ${ref.id}:`, error),
  });
  // Which objects are open, so that each request can checkpoint them all (busy ones too).
  const open = new Set<SqliteDatabase>();
  const lifecycle: ObjectLifecycle = {
    async opened(ref, db) {
      await persistence.opened?.(ref, db);
      open.add(db);
    },
    async beforeEvict(ref, db, stopping) {
      await persistence.beforeEvict?.(ref, db, stopping);
      open.delete(db);
    },
    durable: (ref, db) => persistence.durable!(ref, db),
    restorePending: (db) => persistence.restorePending!(db),
    async discard(ref, db) {
      await persistence.discard?.(ref, db);
      open.delete(db);
    },
  };
  return { worker: await options.startWorker({ lifecycle, evictAfterMs: HANDLER_EVICT_AFTER_MS }), persistence, open };
}

/**
 * Checkpoints every open object, busy ones too (another request may still be using one, but
 * this request's writes must be stored all the same), then evicts the idle ones, which gives
 * their leases back. Throws the first failure once all have settled.
 */
export async function saveAndRelease({ worker, persistence, open }: HandlerWorker): Promise<void> {
  await settleAll([...open].map((db) => persistence.handleFor(db)?.saveToIceberg()));
  const registries = new Set(Object.values(worker.objects));
  await settleAll([...registries].flatMap((registry) => registry.liveIds.map((id) => registry.evict(id))));
}

async function settleAll(work: Array<Promise<unknown> | undefined>): Promise<void> {
  const failed = (await Promise.allSettled(work)).find((result) => result.status === "rejected");
  if (failed) throw failed.reason;
}

function isSet(value: unknown): boolean {
  return typeof value === "string" && value.trim() !== "";
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
