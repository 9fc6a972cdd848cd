import { findIcebergHandle } from "../persistence/iceberg-handles";
import { nextBookmark, pointInTimeRecoveryUnsupported } from "./bookmarks";
import type { SqliteDatabase } from "../sqlite/types";
import { AlarmStore, METADATA_TABLE } from "./alarm-store";
import { KvStore, type ListOptions } from "./kv-store";
import { SqlStorage } from "./sql-storage";
import type { ValueExternals } from "./value-codec";
import { newAsyncLocal } from "./async-local";

export type { ListOptions } from "./kv-store";

/** What storage needs from the object that owns it. */
export interface StorageOwner {
  /** Whether the object's class has an `alarm()` handler (setAlarm requires one). */
  hasAlarmHandler(): boolean;
  /** Called after the alarm time changes, with the new time or null. */
  alarmChanged(time: number | null): void;
  /** Called on every asynchronous storage call (the input gate closes for it). */
  storageUsed?(): void;
  /** Holds other events until `fn` settles (an async transaction, as workerd does). */
  block?<T>(fn: () => Promise<T>): Promise<T>;
  /** Resolves once every write so far is durable (the output gate's wait). */
  durable?(): Promise<void>;
  /** `deleteAll()` deletes the alarm too (compatibility flag `delete_all_deletes_alarm`). */
  readonly deleteAllDeletesAlarm?: boolean;
  /** How stubs among stored values are written and read back (else they cannot be stored). */
  readonly externals?: ValueExternals;
  /** `deleteAll()` is about to drop everything: the object's facets go with it. */
  deletingAll?(): void;
  /** Resets the object (its SQL ran past its CPU time or memory). */
  reset?(error: unknown): void;
}

/** Options workerd accepts on KV calls; they change nothing here (there is no cache). */
export interface StorageOptions {
  allowConcurrency?: boolean;
  allowUnconfirmed?: boolean;
  noCache?: boolean;
}

/** The transaction whose closure the running code belongs to (while that closure has not settled). */
interface TransactionScope {
  readonly storage: DurableObjectStorage;
  open: boolean;
}

/** Where the runtime keeps async context: which transaction's closure code runs for, however late. */
const transactionScopes = newAsyncLocal<TransactionScope>();

/** `ctx.storage` for a SQLite-backed Durable Object. */
export class DurableObjectStorage {
  readonly sql: SqlStorage;
  /** The synchronous KV API of SQLite-backed objects, on the same data as the async one. */
  readonly kv: SyncKvStorage;
  readonly #db: SqliteDatabase;
  readonly #kv: KvStore;
  readonly #alarm: AlarmStore;
  readonly #owner: StorageOwner;
  /**
   * Transactions started outside any closure: the last one's end. With async context, every
   * such one; without, only those started in the current turn.
   */
  #queue: { last: Promise<void> } | undefined;
  /** Set while a transaction's closure runs synchronously (what it starts is nested). */
  #closureDepth = 0;
  /** Async transactions whose savepoint is open, oldest first: the promise of each one's end. */
  readonly #openTransactions: Promise<void>[] = [];

  constructor(db: SqliteDatabase, owner: StorageOwner) {
    this.#db = db;
    this.sql = new SqlStorage(db, owner.reset?.bind(owner));
    this.#kv = new KvStore(db, owner.externals);
    this.kv = new SyncKvStorage(this.#kv);
    this.#alarm = new AlarmStore(db);
    this.#owner = owner;
  }

  get<T = unknown>(key: string, options?: StorageOptions): Promise<T | undefined>;
  get<T = unknown>(keys: string[], options?: StorageOptions): Promise<Map<string, T>>;
  async get(keys: string | string[], _options?: StorageOptions): Promise<unknown> {
    this.#owner.storageUsed?.();
    return Array.isArray(keys) ? this.#kv.getMany(keys.map(toKey)) : this.#kv.get(toKey(keys));
  }

  put<T>(key: string, value: T, options?: StorageOptions): Promise<void>;
  put<T>(entries: Record<string, T>, options?: StorageOptions): Promise<void>;
  async put(keyOrEntries: string | Record<string, unknown>, ...rest: unknown[]): Promise<void> {
    this.#owner.storageUsed?.();
    const many = typeof keyOrEntries === "object" && keyOrEntries !== null;
    // Only the single-key form refuses undefined; in a batch it is stored (workerd does the same).
    if (!many && rest[0] === undefined) throw new TypeError("put() called with undefined value.");
    const entries: [string, unknown][] = many ? Object.entries(keyOrEntries) : [[toKey(keyOrEntries), rest[0]]];
    // One row is atomic on its own; a batch is all-or-nothing.
    if (entries.length === 1) this.#kv.put(entries);
    else this.transactionSync(() => this.#kv.put(entries));
  }

  delete(key: string, options?: StorageOptions): Promise<boolean>;
  delete(keys: string[], options?: StorageOptions): Promise<number>;
  async delete(keys: string | string[], _options?: StorageOptions): Promise<boolean | number> {
    this.#owner.storageUsed?.();
    if (Array.isArray(keys)) return this.#kv.delete(keys.map(toKey));
    return this.#kv.delete([toKey(keys)]) > 0;
  }

  async list<T = unknown>(options: ListOptions & StorageOptions = {}): Promise<Map<string, T>> {
    this.#owner.storageUsed?.();
    return this.#kv.list(options) as Map<string, T>;
  }

  /** Deletes the whole database, SQL tables included, as workerd does for SQLite-backed objects. */
  async deleteAll(_options?: StorageOptions): Promise<void> {
    this.#owner.storageUsed?.();
    if (this.#db.inTransaction) throw new Error("Cannot call deleteAll() within a transaction");
    this.#owner.deletingAll?.();
    const objects = this.#db.query(
      `SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> '${METADATA_TABLE}' ORDER BY rowid DESC`,
    );
    this.#withDeferredForeignKeys(() => {
      for (const [type, name] of objects) {
        this.#db.query(`DROP ${type === "view" ? "VIEW" : "TABLE"} IF EXISTS "${String(name).replaceAll('"', '""')}"`);
      }
    });
    // AUTOINCREMENT counters start over, as in a fresh database.
    if (this.#db.query("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").length) {
      this.#db.query("DELETE FROM sqlite_sequence");
    }
    if (this.#owner.deleteAllDeletesAlarm && this.#alarm.get() !== null) await this.deleteAlarm();
  }

  transactionSync<T>(fn: () => T): T {
    const savepoint = this.#begin();
    try {
      const result = fn();
      this.#release(savepoint);
      return result;
    } catch (error) {
      this.#rollback(savepoint);
      throw error;
    }
  }

  /**
   * workerd runs a transaction's closure under `blockConcurrencyWhile`: other events wait, and
   * transactions started outside a closure run one after the other, while one started from
   * inside another's closure nests in it. Async context tells which closure (if any) code runs
   * for. Without it (edge-runtime), outside is recognised as: started in the same turn as the
   * previous one, and not from inside its closure; later starts nest, as they must when the
   * closure awaits them.
   */
  async transaction<T>(fn: (txn: DurableObjectTransaction) => Promise<T>): Promise<T> {
    const scope = transactionScopes?.getStore();
    const nested = transactionScopes ? scope?.storage === this && scope.open : this.#closureDepth > 0;
    const after = nested ? undefined : this.#queue?.last;
    let finished!: () => void;
    const done = new Promise<void>((resolve) => (finished = resolve));
    if (!nested) this.#enqueue(done);
    try {
      if (after) await after;
      // No other event may write into this transaction's savepoint (its rollback would undo it).
      return await (this.#owner.block ? this.#owner.block(() => this.#transact(fn)) : this.#transact(fn));
    } finally {
      finished();
    }
  }

  async #transact<T>(fn: (txn: DurableObjectTransaction) => Promise<T>): Promise<T> {
    // workerd starts the closure once its blockConcurrencyWhile holds the gate, never within
    // the call: a transactionSync() whose callback starts one has ended by then.
    await undefined;
    const savepoint = this.#begin();
    const txn = new DurableObjectTransaction(this);
    const scope: TransactionScope = { storage: this, open: true };
    let ended!: () => void;
    const end = new Promise<void>((resolve) => (ended = resolve));
    this.#openTransactions.push(end);
    let outcome: { result: T } | { error: unknown };
    try {
      let pending: Promise<T>;
      this.#closureDepth++;
      try {
        pending = transactionScopes ? transactionScopes.run(scope, () => fn(txn)) : fn(txn);
      } finally {
        this.#closureDepth--;
      }
      outcome = { result: await pending };
    } catch (error) {
      outcome = { error };
    }
    scope.open = false;
    // A transaction started later (side by side, but not recognised as such) holds a
    // savepoint inside this one's: it must end first, or SQLite would end it with ours.
    if (this.#openTransactions.at(-1) !== end) await this.#laterEnded(end);
    try {
      if ("error" in outcome || txn.rolledBack) this.#rollback(savepoint);
      else this.#release(savepoint);
    } finally {
      this.#openTransactions.splice(this.#openTransactions.indexOf(end), 1);
      ended();
    }
    if ("error" in outcome) throw outcome.error;
    return outcome.result;
  }

  async #laterEnded(end: Promise<void>): Promise<void> {
    for (let last = this.#openTransactions.at(-1); last && last !== end; last = this.#openTransactions.at(-1)) await last;
  }

  #enqueue(done: Promise<void>): void {
    if (this.#queue) {
      this.#queue.last = done;
      return;
    }
    const queue = { last: done };
    this.#queue = queue;
    // Without async context only the transactions of one turn queue up; with it, all do.
    if (transactionScopes) return;
    queueMicrotask(() => {
      if (this.#queue === queue) this.#queue = undefined;
    });
  }

  /** Resolves once every write made so far is durable, as on Cloudflare. */
  async sync(): Promise<void> {
    this.#db.commit();
    await this.#owner.durable?.();
  }

  async getAlarm(_options?: StorageOptions): Promise<number | null> {
    this.#owner.storageUsed?.();
    return this.#alarm.get();
  }

  async setAlarm(scheduledTime: number | Date, _options?: StorageOptions): Promise<void> {
    this.#owner.storageUsed?.();
    const time = alarmTime(scheduledTime);
    if (!this.#owner.hasAlarmHandler()) {
      throw new TypeError("Your Durable Object class must have an alarm() handler in order to call setAlarm()");
    }
    this.#alarm.set(time);
    this.#owner.alarmChanged(time);
  }

  async deleteAlarm(_options?: StorageOptions): Promise<void> {
    this.#owner.storageUsed?.();
    this.#alarm.delete();
    this.#owner.alarmChanged(null);
  }

  // Point-in-time recovery on the object's checkpoints (persistence/bookmarks.ts); without
  // persistence, bookmarks as workerd has them off Cloudflare (state/bookmarks.ts).
  async getCurrentBookmark(): Promise<string> {
    this.#owner.storageUsed?.();
    const handle = findIcebergHandle(this.#db);
    return handle ? handle.currentBookmark() : nextBookmark(this.#db);
  }

  async waitForBookmark(_bookmark: string): Promise<void> {
    this.#owner.storageUsed?.(); // one holder per object: its state is never behind a bookmark
  }

  getBookmarkForTime(time: number | Date): Promise<string> {
    return findIcebergHandle(this.#db)?.bookmarkForTime(time) ?? pointInTimeRecoveryUnsupported();
  }

  onNextSessionRestoreBookmark(bookmark: string): Promise<string> {
    return findIcebergHandle(this.#db)?.restoreOnNextSession(bookmark) ?? pointInTimeRecoveryUnsupported();
  }

  #begin(): string {
    return this.#db.savepoint();
  }

  #release(savepoint: string): void {
    this.#db.endSavepoint(savepoint, true);
  }

  #rollback(savepoint: string): void {
    this.#db.endSavepoint(savepoint, false);
    // The alarm may have been rolled back with everything else.
    this.#owner.alarmChanged(this.#alarm.get());
  }

  #withDeferredForeignKeys(fn: () => void): void {
    // Inside the implicit transaction `foreign_keys` cannot change; deferring the checks to
    // commit works, and by then the referencing tables are gone too.
    this.#db.query("PRAGMA defer_foreign_keys = ON");
    fn();
  }
}

/** `ctx.storage.kv`: synchronous get/put/delete/list, as workerd offers SQLite-backed objects. */
export class SyncKvStorage {
  readonly #kv: KvStore;
  /** `list()` calls so far: each one invalidates the iterators of the earlier ones. */
  #lists = 0;

  constructor(kv: KvStore) {
    this.#kv = kv;
  }

  get<T = unknown>(key: string): T | undefined {
    return this.#kv.get(toKey(key)) as T | undefined;
  }

  /** Unlike the async `put`, an undefined value is stored (workerd does the same). */
  put<T>(key: string, value: T): void {
    this.#kv.put([[toKey(key), value]]);
  }

  delete(key: string): boolean {
    return this.#kv.delete([toKey(key)]) > 0;
  }

  /** Only the newest `list()` iterator may be read on, as in workerd. */
  list<T = unknown>(options: ListOptions = {}): IterableIterator<[string, T]> {
    const entries = (this.#kv.list(options) as Map<string, T>).entries();
    const generation = ++this.#lists;
    const current = () => this.#lists === generation;
    return (function* () {
      for (;;) {
        if (!current()) throw new Error(LIST_INVALIDATED);
        const next = entries.next();
        if (next.done) return;
        yield next.value;
      }
    })();
  }
}

const LIST_INVALIDATED =
  "kv.list() iterator was invalidated because a new call to kv.list() was started. Only one kv.list() iterator can exist at a time.";

/** The handle `transaction()` passes to its closure. */
export class DurableObjectTransaction {
  readonly #storage: DurableObjectStorage;
  #rolledBack = false;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
  }

  get rolledBack(): boolean {
    return this.#rolledBack;
  }

  get: DurableObjectStorage["get"] = ((keys: string | string[]) =>
    this.#unlessRolledBack("get", () => this.#storage.get(keys as string))) as DurableObjectStorage["get"];
  put: DurableObjectStorage["put"] = ((key: string | Record<string, unknown>, value?: unknown) =>
    this.#unlessRolledBack("put", () =>
      typeof key === "string" ? this.#storage.put(key, value) : this.#storage.put(key),
    )) as DurableObjectStorage["put"];
  delete: DurableObjectStorage["delete"] = ((keys: string | string[]) =>
    this.#unlessRolledBack("delete", () => this.#storage.delete(keys as string))) as DurableObjectStorage["delete"];
  list = <T = unknown>(options?: ListOptions): Promise<Map<string, T>> =>
    this.#unlessRolledBack("list", () => this.#storage.list<T>(options));
  deleteAll = (): Promise<void> => Promise.reject(new Error("Cannot call deleteAll() within a transaction"));
  getAlarm = (): Promise<number | null> => this.#unlessRolledBack("getAlarm", () => this.#storage.getAlarm());
  setAlarm = (time: number | Date): Promise<void> => this.#unlessRolledBack("setAlarm", () => this.#storage.setAlarm(time));
  deleteAlarm = (): Promise<void> => this.#unlessRolledBack("deleteAlarm", () => this.#storage.deleteAlarm());

  #unlessRolledBack<T>(method: string, call: () => Promise<T>): Promise<T> {
    if (this.#rolledBack) return Promise.reject(new Error(`Cannot ${method}() on rolled back transaction`));
    return call();
  }

  /** Marks the transaction to be rolled back when its closure returns. */
  rollback(): void {
    this.#rolledBack = true;
  }
}

function toKey(key: unknown): string {
  return `${key as string}`;
}

function alarmTime(value: unknown): number {
  const time = value instanceof Date ? value.getTime() : typeof value === "number" ? value : undefined;
  if (time === undefined) {
    throw new TypeError("Failed to execute 'setAlarm' on 'DurableObjectStorage': parameter 1 is not of type 'date'.");
  }
  if (!Number.isFinite(time)) throw new TypeError("The value cannot be converted because it is not a valid Date.");
  return Math.floor(time);
}
