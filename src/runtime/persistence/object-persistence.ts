import type { ObjectStore } from "../storage/types";
import { ChangeTracker, type ChangeSet, type ChangeSource } from "./change-tracker";
import { prepareCheckpoint, type CheckpointSettings, type PreparedCheckpoint } from "./prepare-checkpoint";
import { announceCheckpoint, commitCheckpoint } from "./publish-checkpoint";
import type { Commit } from "./commit";
import { mapLimit } from "../concurrency";
import { CorruptSnapshotError, SnapshotNotFoundError } from "./errors";
import type { ImageRead } from "./image-read";
import { Lease, type LeaseRecord } from "./lease";
import { listSequences, readLatest, ridesInHint } from "./latest";
import { BookmarkExpiredError } from "./bookmarks";
import { LEFT_IMAGE_KEY, RESTORE_REQUEST_KEY } from "./keys";
import { imageReader, loadCommit, readCommit } from "./restore";
import type { SqlPort } from "./sql-port";
import { TableHistory } from "./table-history";
import { expireSnapshots, listSnapshots, type ExpirePolicy, type ExpireResult, type SnapshotInfo } from "./time-travel";
import type { RetryPolicy } from "../retry";
import { ObjectLog } from "./log/object-log";
import type { LogWriter } from "./log/log-writer";

export const DEFAULT_LEASE_TTL_MS = 30_000;

/** How long a log append (or a log read) keeps retrying a failing store before the writes fail. */
export const DEFAULT_STORE_POLICY: RetryPolicy = { deadlineMs: 10_000, attemptTimeoutMs: 5_000 };

export interface PersistenceOptions {
  /** The object's own store, already scoped to its root. */
  store: ObjectStore;
  /** The object's database. */
  port: SqlPort;
  /** How changes are found; by default an update hook on `port`. */
  changes?: ChangeSource;
  /** Names this instance in the lease; a random id by default. */
  holder?: string;
  /** This instance's internal address, for the lease (replicas forward calls there). */
  address?: string;
  leaseTtlMs?: number;
  /** Rows per Parquet data file. */
  chunkRows?: number;
  /** Fully qualified location of the store root for Iceberg paths; the store's url by default. */
  location?: string;
  /** Expire old commits after every `everyCheckpoints` checkpoints; off when absent. */
  retention?: RetentionPolicy;
  /** Failures of work that follows a successful checkpoint (retention) go here. */
  onError?: (error: unknown) => void;
  /**
   * A count that rises with every write to the database (the engine's `writeCount`): the log
   * stores a batch only when it moved. Without it, every `sync()` compares the whole image.
   */
  writes?: () => number;
  /** Deadlines and retries of log appends and reads. */
  storePolicy?: RetryPolicy;
  /** Log appends in flight at once, 1 to `MAX_APPEND_WINDOW`; `defaultAppendWindow(store)` when absent. */
  appendWindow?: number;
  now?: () => number;
}

/**
 * Log appends in flight at once unless set. Across a network (S3, R2, the gateway) four: with
 * one, a write waits for the batch ahead of it and then its own, about two round trips; with
 * four, about one, for up to four times the PUTs on a busy object. On a local store (a folder,
 * memory) one: its round trip is an fsync, short next to the CPU a batch costs, so more in
 * flight only makes batches smaller (benchmarks.md, "Durability").
 */
export function defaultAppendWindow(store: ObjectStore): number {
  return /^(file|memory):/.test(store.url) ? 1 : 4;
}

export interface RetentionPolicy extends ExpirePolicy {
  everyCheckpoints: number;
}

/** Which commit to restore: the newest by default. */
export interface RestoreTarget {
  sequence?: number;
  /** The newest commit made at or before this time. */
  asOf?: Date | number;
  /** Replace the database's current contents (time travel on a live object). */
  replace?: boolean;
}

export interface CheckpointResult {
  sequence: number;
  generation: number;
  timestampMs: number;
  /** Tables whose files this checkpoint wrote. */
  tablesWritten: string[];
}

/**
 * Persistence for one object: restore, checkpoints that never overlap, the fencing lease and
 * time travel. The database is only read synchronously, inside one turn, per checkpoint.
 */
export class ObjectPersistence {
  readonly #settings: CheckpointSettings;
  readonly #lease: Lease;
  readonly #tracker: ChangeSource;
  #head: Commit | null = null;
  /** The newest commit, when known: the next checkpoint follows it (not head after time travel). */
  #newest: Commit | null = null;
  #newestSequence = 0;
  readonly #history: TableHistory;
  /** The state is an older commit than the newest (time travel): the next checkpoint commits it. */
  #behind = false;
  /** Neither restored nor checkpointed yet: whatever the database holds is unsaved. */
  #unsaved = true;
  #published = false;
  /** Checkpoints, restores and expiry run one at a time, in order. */
  #chain: Promise<unknown> = Promise.resolve();
  /** A checkpoint waiting its turn, which later requests join. */
  #queued: Promise<CheckpointResult | null> | null = null;
  readonly #retention: RetentionPolicy | undefined;
  /** The commit whose image a clean stop left at `snapshots/image`, as far as this instance knows. */
  #left: number | null = null;
  /** A restore to this commit was requested for this session: it is committed before serving. */
  #requested: number | null = null;
  /** A restore was requested for the next session. */
  #pending = false;
  readonly #onError: (error: unknown) => void;
  readonly #log: ObjectLog;

  constructor(options: PersistenceOptions) {
    const now = options.now ?? Date.now;
    const holder = options.holder ?? crypto.randomUUID();
    this.#settings = {
      store: options.store,
      port: options.port,
      location: (options.location ?? options.store.url).replace(/\/+$/, ""),
      chunkRows: options.chunkRows ?? 2048,
      holder,
      now,
    };
    const ttlMs = options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
    this.#lease = new Lease({ store: options.store, holder, ttlMs, now, ...(options.address === undefined ? {} : { address: options.address }) });
    this.#tracker = options.changes ?? new ChangeTracker(options.port);
    this.#history = new TableHistory(options.store, this.#settings.location);
    this.#retention = options.retention;
    this.#onError = options.onError ?? (() => undefined);
    this.#log = new ObjectLog({
      store: options.store,
      port: options.port,
      holder,
      ...(options.writes && { writes: options.writes }),
      policy: options.storePolicy ?? DEFAULT_STORE_POLICY,
      window: options.appendWindow ?? defaultAppendWindow(options.store),
      now,
      report: (error) => this.#onError(error),
      adopt: (image) => {
        options.port.stageImage!(image).use();
        // All of it counts as changed for the next checkpoint.
        this.#tracker.giveBack({ everything: true, tables: new Map() });
      },
    });
  }

  /** The commit the database was restored from or last checkpointed to. */
  get head(): Commit | null {
    return this.#head;
  }

  get generation(): number | null {
    return this.#lease.generation;
  }

  /** Takes the fencing lease; `FencedError` (`LEASE_HELD`) while another instance holds it. */
  acquireLease(takeOverFrom?: string): Promise<LeaseRecord> {
    return this.#lease.acquire(takeOverFrom);
  }

  /** Gives the lease up; the log is sealed again by whoever holds the object next (this instance too). */
  releaseLease(): Promise<void> {
    this.#log.close();
    return this.#lease.release();
  }

  /** The lease as held now, renewed if past half its time; `FencedError` if it was lost. */
  ensureLease(): Promise<LeaseRecord> {
    return this.#lease.ensure();
  }

  /** Renews the lease when it is past half its time, so an idle holder keeps it. */
  async renewLease(): Promise<void> {
    if (this.#lease.generation !== null) await this.#lease.ensure();
  }

  /**
   * Loads a commit (the newest by default) into the database, which must be empty unless
   * `replace` is set. Returns the commit, or null when the object was never checkpointed. A
   * damaged snapshot throws `CorruptSnapshotError` and leaves the database as it was.
   */
  restore(target: RestoreTarget = {}): Promise<Commit | null> {
    return this.#exclusive(() => this.#restore(target));
  }

  async #restore(target: RestoreTarget): Promise<Commit | null> {
    const { store, port } = this.#settings;
    const latest = target.sequence === undefined && target.asOf === undefined;
    // The log is listed in the first round trip, beside the hint, the commit listing and a
    // restore request (onNextSessionRestoreBookmark), which is taken instead of the newest state.
    const listing = latest ? this.#log.list() : null;
    listing?.catch(() => undefined);
    // (A live object's loadFromIceberg() replaces its state: a request waits for the next session.)
    const requested = latest && !target.replace ? readRestoreRequest(store) : null;
    requested?.catch(() => undefined);
    const { commit, image, damage } = await this.#resolve(target);
    const request = await requested;
    if (request !== null && request !== undefined) {
      image?.catch(() => undefined);
      this.#requested = request;
      return this.#restore({ sequence: request });
    }
    if (damage) this.#onError(damage);
    const read = commit ? await loadCommit(store, port, commit, target.replace ?? false, this.#onError, image) : null;
    this.#left = read?.fromHave && !ridesInHint(commit!.image!.bytes) ? commit!.sequence : null;
    // After going back in time the next checkpoint still follows the newest commit, which is
    // only read then: it may be the damaged one this restore goes around.
    this.#newestSequence = latest ? (commit?.sequence ?? 0) : ((await listSequences(store)).at(-1) ?? 0);
    this.#newest = commit !== null && commit.sequence === this.#newestSequence ? commit : null;
    this.#head = commit;
    this.#behind = (commit?.sequence ?? 0) !== this.#newestSequence;
    this.#unsaved = false;
    this.#published = false;
    this.#tracker.rebase();
    // The newest state is the newest commit plus the writes the log holds after it.
    await this.#log.restored(commit, read !== null, listing);
    return commit;
  }

  /**
   * Seals the object's log for this holder (taking the lease if needed): from here on an older
   * holder's appends collide, so it can acknowledge nothing more. An entry such a holder stored
   * before the seal is applied first. Called once the newest state is restored; the first
   * checkpoint or `sync()` opens it otherwise.
   */
  openLog(): Promise<void> {
    return this.#exclusive(async () => void (await this.#openLog()));
  }

  async #openLog(): Promise<LogWriter> {
    if (this.#lease.generation === null) await this.#lease.acquire();
    const writer = await this.#log.open(this.#lease.generation!, this.#lease.handedOver, this.#head);
    if (this.#requested !== null) {
      // The requested state becomes the newest commit before the object serves (the log after
      // the old newest commit must not be replayed onto it); only then is the request done.
      this.#requested = null;
      this.#behind = true;
      await this.#run();
      await this.#settings.store.delete(RESTORE_REQUEST_KEY);
    }
    return writer;
  }

  /**
   * The next session (after a restart, or `ctx.abort()`) starts from commit `sequence` (0: the
   * state before any commit), as Cloudflare's `onNextSessionRestoreBookmark`. The request is
   * stored, so it survives this process.
   */
  async requestRestore(sequence: number): Promise<void> {
    const { store } = this.#settings;
    if (sequence !== 0) {
      await readCommit(store, sequence).catch((error: unknown) => {
        if (!(error instanceof SnapshotNotFoundError)) throw error;
        throw new BookmarkExpiredError(`checkpoint ${sequence} is no longer kept (retention expired it), so its bookmark cannot be restored`, { cause: error });
      });
    }
    await store.put(RESTORE_REQUEST_KEY, new TextEncoder().encode(JSON.stringify({ sequence })));
    this.#pending = true;
  }

  /** `requestRestore` was called: the next session starts from an older state. */
  get restorePending(): boolean {
    return this.#pending;
  }

  /**
   * The output gate: resolves once every write made so far is stored in the log; rejects when
   * they cannot be (the store failed past its deadline, or another instance sealed the log),
   * after which this instance's state is ahead of the store and must be dropped. A port that
   * cannot read images has no log: there this is a checkpoint.
   */
  async sync(): Promise<void> {
    // Fenced: what this instance would answer may already be out of date.
    if (this.failure) throw this.failure;
    if (!this.#log.enabled) return void (await this.checkpoint());
    const writer = this.#log.writer ?? (await this.#exclusive(() => this.#openLog()));
    return writer.sync();
  }

  /** Log entries stored since the state the newest checkpoint holds. */
  get logLength(): number {
    return (this.#log.writer?.position ?? 0) - (this.#head?.log ?? 0);
  }

  /** Why the object can take no more writes here (the log failed, the lease was lost), or null. */
  get failure(): Error | null {
    return this.#log.failure ?? this.#lease.lost;
  }

  /**
   * Leaves the database's image where the next cold start reads it in its first round trip
   * (`snapshots/image`), for a clean stop, after the final checkpoint: only while the lease is
   * held, the state is the head's, its image too big to ride in the hint, and not left yet.
   * A restore checks every chunk it takes from there against the commit, so a stale or
   * damaged left image only costs the chunks read from the packs instead.
   */
  leaveImage(): Promise<void> {
    return this.#exclusive(async () => {
      const head = this.#head;
      if (!head?.image || ridesInHint(head.image.bytes) || this.#left === head.sequence) return;
      if (this.#lease.generation === null || this.pendingChanges() > 0) return;
      const bytes = this.#settings.port.image?.();
      if (!bytes) return;
      await this.#settings.store.put(LEFT_IMAGE_KEY, bytes);
      this.#left = head.sequence;
    });
  }

  /** Row changes not yet checkpointed (an unsaved or rolled-back state counts as one). */
  pendingChanges(): number {
    return this.#tracker.pendingChanges() + (this.#behind || this.#unsaved ? 1 : 0);
  }

  /**
   * Writes a checkpoint of everything changed, or returns null when nothing did. Never runs
   * two at once: a call during a running checkpoint waits for it, then joins the one next.
   */
  checkpoint(): Promise<CheckpointResult | null> {
    this.#queued ??= this.#exclusive(() => {
      this.#queued = null;
      return this.#run();
    });
    return this.#queued;
  }

  listSnapshots(): Promise<SnapshotInfo[]> {
    return listSnapshots(this.#settings.store);
  }

  /**
   * Deletes old commits by age and count (never the newest) and the files only they used.
   * Needs the lease, and never runs during a checkpoint, which could reuse those files.
   */
  expireSnapshots(policy: ExpirePolicy): Promise<ExpireResult> {
    return this.#exclusive(() => this.#expire(policy));
  }

  async #expire(policy: ExpirePolicy): Promise<ExpireResult> {
    if (this.#lease.generation === null) await this.#lease.acquire();
    await this.#lease.ensure();
    return expireSnapshots(this.#settings.store, policy, this.#settings.now(), this.#history);
  }

  close(): void {
    this.#tracker.close();
  }

  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(task, task);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #run(): Promise<CheckpointResult | null> {
    if (this.#lease.generation === null) await this.#lease.acquire();
    const lease = await this.#lease.ensure();
    if (this.pendingChanges() === 0) {
      // Nothing to commit; a restored state's tables are still published once, for engines.
      if (this.#head && !this.#published) await mapLimit(Object.values(this.#head.tables), 8, (t) => this.#history.publish(t));
      this.#published = true;
      return null;
    }
    let changes: ChangeSet | undefined;
    let rebased = false;
    try {
      if (this.#behind && !this.#newest) this.#newest = await this.#readNewest();
      const log = this.#log.enabled ? await this.#openLog() : null;
      let prepared: PreparedCheckpoint;
      const prepare = () => {
        changes = this.#tracker.take();
        return prepareCheckpoint(this.#settings, this.#head, this.#newest, this.#newestSequence + 1, changes);
      };
      if (log) {
        // A checkpoint sits on a log position: its state is every write up to there and none
        // after. It cuts a batch and reads the database in the same turn, then waits until that
        // batch is stored (not for the writes to stop).
        const cut = await log.cut(({ position, stored }) => {
          const atCut = { ...prepare(), log: position, seals: this.#log.keptSeals() };
          // Later entries are diffs against exactly the image this commit stores.
          rebased = log.rebaseTo(atCut.image!);
          return { atCut, stored };
        });
        await cut.stored;
        prepared = cut.atCut;
      } else {
        prepared = prepare();
      }
      const commit = await commitCheckpoint(this.#settings, prepared, lease.generation, () => this.#assertMayCommit());
      this.#head = commit;
      this.#newest = commit;
      this.#newestSequence = commit.sequence;
      this.#behind = false;
      this.#unsaved = false;
      await this.#afterCommit(commit, prepared);
      return {
        sequence: commit.sequence,
        generation: commit.generation,
        timestampMs: commit.timestampMs,
        tablesWritten: prepared.tables.filter((t) => !t.unchanged).map((t) => t.name),
      };
    } catch (error) {
      if (changes) this.#tracker.giveBack(changes);
      // Entries since may diff against an image no commit holds: the next one carries every page.
      if (rebased) this.#log.writer?.rebase();
      throw error;
    }
  }

  /** The commit is durable: the hint, engines' metadata and retention may fail without undoing it. */
  async #afterCommit(commit: Commit, prepared: PreparedCheckpoint): Promise<void> {
    try {
      await announceCheckpoint(this.#settings.store, commit, prepared, this.#history, !this.#published);
      this.#published = true;
    } catch (error) {
      this.#published = false;
      this.#onError(error);
    }
    const covered = prepared.newest?.log;
    if (covered !== undefined) await this.#log.compact(covered, commit.seals ?? []).catch(this.#onError);
    const retention = this.#retention;
    if (retention && commit.sequence % retention.everyCheckpoints === 0) {
      await this.#expire(retention).catch(this.#onError);
    }
  }

  /** The newest commit, or null when it is damaged or gone: the next commit supersedes it. */
  async #readNewest(): Promise<Commit | null> {
    try {
      return await readCommit(this.#settings.store, this.#newestSequence);
    } catch (error) {
      if (error instanceof CorruptSnapshotError || error instanceof SnapshotNotFoundError) return null;
      throw error;
    }
  }

  /**
   * Right before a commit the lease is renewed with If-Match, whatever this instance's clock
   * says: that fails (`FENCED`) if anyone took the lease over, and gives the commit a fresh
   * lease to happen under. A lease that lapsed unnoticed by others is thereby safely resumed.
   */
  async #assertMayCommit(): Promise<void> {
    await this.#lease.renew();
  }

  /** The commit to restore, with its image's read when already started. */
  async #resolve(target: RestoreTarget): Promise<{ commit: Commit | null; image?: Promise<ImageRead> | null; damage?: CorruptSnapshotError }> {
    const { store, port } = this.#settings;
    if (target.sequence === 0) return { commit: null }; // the state before any commit
    if (target.sequence !== undefined) return { commit: await readCommit(store, target.sequence) };
    if (target.asOf === undefined) return (await readLatest(store, imageReader(store, port))) ?? { commit: null };
    const asOf = typeof target.asOf === "number" ? target.asOf : target.asOf.getTime();
    // Commit times rise with sequence numbers: binary search over the listed commits.
    const sequences = await listSequences(store);
    let low = 0;
    let high = sequences.length - 1;
    let found: Commit | null = null;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const commit = await readCommit(store, sequences[mid]!);
      if (commit.timestampMs <= asOf) {
        found = commit;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    if (!found) throw new SnapshotNotFoundError(`no checkpoint was made at or before ${new Date(asOf).toISOString()}`);
    return { commit: found };
  }
}

/** The commit a restore request names, or null when there is none. */
async function readRestoreRequest(store: ObjectStore): Promise<number | null> {
  const stored = await store.get(RESTORE_REQUEST_KEY);
  if (!stored) return null;
  try {
    const { sequence } = JSON.parse(new TextDecoder().decode(stored.body)) as { sequence: unknown };
    if (Number.isSafeInteger(sequence) && (sequence as number) >= 0) return sequence as number;
  } catch {
    // reported below
  }
  throw new CorruptSnapshotError(RESTORE_REQUEST_KEY, "not a restore request");
}
