import type { ObjectLifecycle, ObjectRef, StoreHealth } from "../namespace/lifecycle";
import type { SqliteDatabase } from "../sqlite/types";
import type { ObjectStore } from "../storage/types";
import type { Commit } from "./commit";
import { enginePort, EngineChanges } from "./engine-port";
import { HeldElsewhereError } from "../cluster/errors";
import { BookmarkExpiredError, decodeBookmark, encodeBookmark } from "./bookmarks";
import { FencedError } from "./errors";
import { attachIcebergHandle, detachIcebergHandle } from "./iceberg-handles";
import { AlarmIndex } from "./alarm-index";
import { claimCronTick } from "./cron-claims";
import { objectStore } from "./object-admin";
import { DEFAULT_LEASE_TTL_MS, ObjectPersistence, type CheckpointResult, type RestoreTarget, type RetentionPolicy } from "./object-persistence";
import { CheckpointScheduler, type IcebergConfig } from "./scheduler";
import { retrying, withTimeout, type RetryPolicy } from "../retry";
import { Limiter } from "../concurrency";
import type { ExpirePolicy, ExpireResult, SnapshotInfo } from "./time-travel";

export interface PersistenceLifecycleOptions {
  /** The application's store; each object keeps its state under `do/{id}/` in it. */
  store: ObjectStore;
  /** Scheduler settings for every object; each object may change its own. */
  iceberg?: Partial<IcebergConfig>;
  /** Names this process in leases; random by default. */
  holder?: string;
  /**
   * This replica's internal address (e.g. `http://10.0.0.7:3000`), recorded in the leases it
   * holds. With it, opening an object another live replica holds fails at once with
   * `HeldElsewhereError` naming that replica, so the call can be forwarded there, instead of
   * waiting for the lease.
   */
  address?: string;
  /**
   * Whether the replica at `address`, which holds a lease, is gone (it failed a health probe).
   * Then its objects are taken over at once instead of when its lease runs out: the log seal
   * fences it, should it come back.
   */
  holderGone?: (address: string) => Promise<boolean>;
  leaseTtlMs?: number;
  /**
   * How long opening an object waits for another holder's lease to be released or to expire
   * (a rolling deploy, a restart after a crash) before failing with `LEASE_HELD`.
   * Default: the lease ttl plus a second.
   */
  leaseWaitMs?: number;
  chunkRows?: number;
  /** Fully qualified location of the store's root for Iceberg paths; the store's url by default. */
  location?: string;
  /** Commits kept per object, enforced every so many checkpoints; `false` keeps all. */
  retention?: RetentionPolicy | false;
  /**
   * When the worker stops (dispose, SIGTERM), leave each object's image after its final
   * checkpoint for the next cold start (see `ObjectPersistence.leaveImage`): one upload of a big
   * image per stop, for one round trip on the next start. Idle evictions do not. Default true;
   * off where every request stops its objects (edge handlers).
   */
  leaveImage?: boolean;
  /**
   * How long a stopping worker (dispose, SIGTERM) retries each object's final checkpoint while
   * the store fails. After it the object goes anyway: its log holds every acknowledged write.
   * Default 10 s, within Kubernetes' 30 s termination grace.
   */
  stopGraceMs?: number;
  /** Deadlines and retries of the log's store requests (default: 10 s, each try 5 s). */
  storePolicy?: RetryPolicy;
  /** Log appends in flight at once per object (`ObjectPersistenceOptions.appendWindow`). */
  appendWindow?: number;
  /** Background checkpoint failures (e.g. `FencedError`) go here; they are not thrown anywhere else. */
  onError?: (error: unknown, ref: ObjectRef) => void;
}

/** What the health probe reads: no such object needs to exist. */
const HEALTH_PROBE_KEY = ".dotdo-health";

const DEFAULT_STOP_GRACE_MS = 10_000;
/** Timed checkpoints a process runs at once (see `CheckpointScheduler`). */
const TIMED_CHECKPOINTS = 2;

/** Time travel reaches the last 100 checkpoints unless configured otherwise. */
export const DEFAULT_RETENTION: RetentionPolicy = { keepLast: 100, everyCheckpoints: 50 };

/** Proof of holding an object's lease: the fencing generation every commit records. */
export interface FencingToken {
  generation: number;
  holder: string;
  expiresAt: number;
}

/** What a Durable Object reaches through `configureIceberg()`, `saveToIceberg()`, …. */
export interface IcebergHandle {
  configureIceberg(config: Partial<IcebergConfig>): void;
  saveToIceberg(): Promise<CheckpointResult | null>;
  /** The newest commit by default; an older one replaces the live state (time travel). */
  loadFromIceberg(target?: Omit<RestoreTarget, "replace">): Promise<Commit | null>;
  acquireFencingToken(): Promise<FencingToken>;
  releaseFencingToken(token: FencingToken): Promise<void>;
  listSnapshots(): Promise<SnapshotInfo[]>;
  expireSnapshots(policy: ExpirePolicy): Promise<ExpireResult>;
  /** Point-in-time recovery on checkpoints (see bookmarks.ts): `ctx.storage`'s bookmark API. */
  currentBookmark(): Promise<string>;
  bookmarkForTime(time: number | Date): Promise<string>;
  restoreOnNextSession(bookmark: string): Promise<string>;
}

export interface PersistenceLifecycle extends ObjectLifecycle {
  /** The persistence of an open object, by its database. */
  handleFor(db: SqliteDatabase): IcebergHandle | undefined;
  /** A final checkpoint of every open object (SIGTERM); failures go to `onError`. */
  checkpointAll(): Promise<void>;
}

interface OpenObject {
  ref: ObjectRef;
  db: SqliteDatabase;
  persistence: ObjectPersistence;
  scheduler: CheckpointScheduler;
  handle: IcebergHandle;
}

/**
 * Plugs persistence into the runtime's object lifecycle: on open, take the lease and restore
 * the newest commit; while open, checkpoint on the scheduler; before eviction (and on
 * dispose), a final checkpoint, then give the lease up.
 * On Node, SIGTERM should `dispose()` the worker (or call `checkpointAll()`): that is the
 * final checkpoint of every open object.
 */
export function persistenceLifecycle(options: PersistenceLifecycleOptions): PersistenceLifecycle {
  const open = new Map<SqliteDatabase, OpenObject>();
  const report = (ref: ObjectRef) => (error: unknown) => options.onError?.(error, ref);
  const alarms = new AlarmIndex(options.store, (error, ref) => options.onError?.(error, ref));
  const timedCheckpoints = new Limiter(TIMED_CHECKPOINTS);
  let probe: Promise<StoreHealth> | undefined;
  const close = (entry: OpenObject): void => {
    entry.scheduler.stop();
    open.delete(entry.db);
    detachIcebergHandle(entry.db);
    entry.persistence.close();
  };

  return {
    storeUrl: options.store.url,
    async opened(ref, db) {
      const persistence = new ObjectPersistence({
        store: objectStore(options.store, ref.id),
        port: enginePort(db),
        changes: new EngineChanges(db),
        ...(options.holder === undefined ? {} : { holder: options.holder }),
        ...(options.address === undefined ? {} : { address: options.address }),
        ...(options.leaseTtlMs === undefined ? {} : { leaseTtlMs: options.leaseTtlMs }),
        ...(options.chunkRows === undefined ? {} : { chunkRows: options.chunkRows }),
        ...(options.location === undefined ? {} : { location: `${options.location.replace(/\/+$/, "")}/do/${ref.id}` }),
        ...(options.retention === false ? {} : { retention: options.retention ?? DEFAULT_RETENTION }),
        onError: report(ref),
        writes: () => db.writeCount,
        ...(options.storePolicy === undefined ? {} : { storePolicy: options.storePolicy }),
        ...(options.appendWindow === undefined ? {} : { appendWindow: options.appendWindow }),
      });
      await acquireWaiting(persistence, options.leaseWaitMs ?? (options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS) + 1_000, async ({ address }) => {
        if (options.address === undefined || address === undefined) return "wait";
        // Held at this replica's own address by another holder: an earlier process here, gone.
        if (address === options.address) return { takeOverFrom: address };
        return (await options.holderGone?.(address)) ? { takeOverFrom: address } : new HeldElsewhereError(ref.id, address);
      });
      try {
        // The newest commit and the log after it, then the seal: from here on no other
        // instance can store a write for this object without this one noticing.
        await persistence.restore();
        await persistence.openLog();
      } catch (error) {
        await persistence.releaseLease();
        throw error;
      }
      // The lease is renewed three times per ttl, so a live holder never looks gone to others.
      const scheduler = new CheckpointScheduler(persistence, options.iceberg, report(ref), (options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS) / 3, timedCheckpoints);
      const handle = handleOf(persistence, scheduler, ref.id);
      open.set(db, { ref, db, persistence, scheduler, handle });
      attachIcebergHandle(db, handle);
    },

    async durable(ref, db) {
      const entry = open.get(db);
      if (!entry) return;
      await entry.persistence.sync();
      if (entry.persistence.logLength >= entry.scheduler.config.maxLogEntries) void entry.scheduler.flush().catch(report(ref));
    },

    async discard(ref, db) {
      const entry = open.get(db);
      if (!entry) return;
      close(entry);
      // Fenced: the lease is another's now. Otherwise give it up, so a retry can start afresh.
      if (!(entry.persistence.failure instanceof FencedError)) await entry.persistence.releaseLease().catch(report(ref));
    },

    // Every write a request saw acknowledged is in the log already, so the final checkpoint
    // only compacts it. If that fails, the object still goes when nothing is waiting to be
    // stored (the log holds it all) and the worker is stopping; an idle eviction is retried
    // later instead (thrown: the runtime keeps the object). A fenced object always goes.
    async beforeEvict(ref, db, stopping) {
      const entry = open.get(db);
      if (!entry) return;
      entry.scheduler.stop();
      try {
        if (entry.persistence.failure) throw entry.persistence.failure;
        // At a stop the final checkpoint is retried for the grace period; an idle eviction
        // tries once (it is tried again later anyway).
        const grace = stopping ? (options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS) : 0;
        await retrying(() => entry.persistence.checkpoint(), (error) => !(error instanceof FencedError), { deadlineMs: grace, baseDelayMs: 200 });
        if (stopping && options.leaveImage !== false) await entry.persistence.leaveImage().catch(report(ref));
      } catch (error) {
        const stored = !(error instanceof FencedError) && (await entry.persistence.sync().then(() => true, () => false));
        if (!(error instanceof FencedError) && !(stopping && stored)) {
          entry.scheduler.start();
          throw error;
        }
        report(ref)(error);
      }
      close(entry);
      await entry.persistence.releaseLease().catch(report(ref));
    },

    restorePending: (db) => open.get(db)?.persistence.restorePending ?? false,

    alarmChanged: (ref, time) => alarms.record(ref, time),
    pendingAlarms: () => alarms.pending(),
    claimCronTick: (cron, scheduledTime) => claimCronTick(options.store, cron, scheduledTime),
    stopped: () => alarms.settled(),

    health: () => (probe ??= probeStore(options.store).finally(() => setTimeout(() => (probe = undefined), HEALTH_CACHE_MS))),

    handleFor: (db) => open.get(db)?.handle,

    async checkpointAll() {
      await Promise.all(
        [...open.values()].map((entry) => entry.scheduler.flush().then(() => undefined, report(entry.ref))),
      );
    },
  };
}

/** Health answers are reused this long, so probes cannot load the store. */
const HEALTH_CACHE_MS = 1_000;
const HEALTH_TIMEOUT_MS = 2_000;

/** One small read: the store answers (a missing key is an answer), within the timeout. */
async function probeStore(store: ObjectStore): Promise<StoreHealth> {
  try {
    await withTimeout(store.head(HEALTH_PROBE_KEY), HEALTH_TIMEOUT_MS);
    return { store: "ok" };
  } catch (error) {
    return { store: "unreachable", error: error instanceof Error ? error.message : String(error) };
  }
}

/** What to do about a lease another holds: wait for it, take it over, or throw (to forward). */
type HeldLease = "wait" | { takeOverFrom: string } | Error;

/**
 * Polls for the lease until `waitMs` has passed; a release is noticed within a second.
 * `held` decides about a lease held elsewhere: an error to throw at once (the holder is
 * reachable), a take-over (it is gone), or waiting.
 */
async function acquireWaiting(persistence: ObjectPersistence, waitMs: number, held: (error: FencedError) => Promise<HeldLease>): Promise<void> {
  const deadline = Date.now() + waitMs;
  let takeOverFrom: string | undefined;
  for (;;) {
    try {
      await persistence.acquireLease(takeOverFrom);
      return;
    } catch (error) {
      const left = deadline - Date.now();
      if (!(error instanceof FencedError) || error.code !== "LEASE_HELD") throw error;
      const decision = await held(error);
      if (decision instanceof Error) throw decision;
      if (decision !== "wait") {
        takeOverFrom = decision.takeOverFrom;
        continue;
      }
      if (left <= 0) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, left, Math.max(0, (error.expiresAt ?? 0) - Date.now()) + 10)));
    }
  }
}

function handleOf(persistence: ObjectPersistence, scheduler: CheckpointScheduler, objectId: string): IcebergHandle {
  const currentBookmark = async () => {
    await persistence.checkpoint(); // a bookmark names a commit: the state now becomes one
    return encodeBookmark(persistence.head?.sequence ?? 0, objectId);
  };
  return {
    configureIceberg: (config) => scheduler.configure(config),
    saveToIceberg: () => persistence.checkpoint(),
    loadFromIceberg: (target = {}) => persistence.restore({ ...target, replace: true }),
    async acquireFencingToken() {
      const lease = persistence.generation === null ? await persistence.acquireLease() : await persistence.ensureLease();
      return { generation: lease.generation, holder: lease.holder, expiresAt: lease.expiresAt };
    },
    async releaseFencingToken(token) {
      if (token.generation !== persistence.generation) {
        throw new FencedError("FENCED", `fencing token generation ${token.generation} is not the one held (${persistence.generation ?? "none"})`);
      }
      await persistence.checkpoint();
      await persistence.releaseLease();
    },
    listSnapshots: () => persistence.listSnapshots(),
    expireSnapshots: (policy) => persistence.expireSnapshots(policy),
    currentBookmark,
    async bookmarkForTime(time) {
      const at = typeof time === "number" ? time : time.getTime();
      const snapshots = await persistence.listSnapshots();
      const found = snapshots.filter((snapshot) => snapshot.timestampMs <= at).at(-1);
      if (found) return encodeBookmark(found.sequence, objectId);
      // Before the first commit, if that one is still kept: the empty state.
      if (snapshots.length === 0 || snapshots[0]!.parent === null) return encodeBookmark(0, objectId);
      throw new BookmarkExpiredError(`no checkpoint of ${new Date(at).toISOString()} or before is kept any more (the oldest is of ${new Date(snapshots[0]!.timestampMs).toISOString()})`);
    },
    async restoreOnNextSession(bookmark) {
      const sequence = decodeBookmark(bookmark, objectId);
      const undo = await currentBookmark();
      await persistence.requestRestore(sequence);
      return undo;
    },
  };
}
