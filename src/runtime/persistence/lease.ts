import { PreconditionFailedError } from "../storage/errors";
import type { ObjectStore } from "../storage/types";
import { CorruptSnapshotError, FencedError } from "./errors";
import { LOCK_KEY } from "./keys";

/** The lock object: who may commit, with which fencing number, until when. */
export interface LeaseRecord {
  holder: string;
  generation: number;
  expiresAt: number;
  /** Where the holder answers calls forwarded to the object (replicas in a cluster). */
  address?: string;
}

export interface LeaseOptions {
  store: ObjectStore;
  holder: string;
  /** This instance's internal address, recorded in the lease for other replicas. */
  address?: string;
  /** How long one grant lasts. */
  ttlMs: number;
  now: () => number;
}

/**
 * A lease in the style of Litestream's, kept only through conditional writes: taken create-only
 * or, once expired, with If-Match; renewed with If-Match. Each new holder's generation is one
 * higher and is recorded in every commit it makes.
 */
export class Lease {
  #held: (LeaseRecord & { etag: string }) | null = null;
  #handedOver = false;
  #lost: FencedError | null = null;

  constructor(private readonly options: LeaseOptions) {}

  /**
   * Whether the lease held now was free when taken (never held, or given back): then no earlier
   * holder can still be writing. Taken over after expiry (a crash, a pause), it was not.
   */
  get handedOver(): boolean {
    return this.#handedOver;
  }

  /**
   * Why the lease was lost to another instance, or null. Once lost it is never taken again by
   * this instance: its state may be older than the new holder's, so it must be reopened.
   */
  get lost(): FencedError | null {
    return this.#lost;
  }

  /** The generation held now, or null. */
  get generation(): number | null {
    return this.#held?.generation ?? null;
  }

  /**
   * Takes the lease, or throws `FencedError` (`LEASE_HELD`) while another holds it. With
   * `takeOverFrom`, a lease that the replica at that address holds is taken before it expires:
   * the caller knows that replica is gone, and the log seal fences it should it come back.
   */
  async acquire(takeOverFrom?: string): Promise<LeaseRecord> {
    if (this.#lost) throw this.#lost;
    const { store, holder, ttlMs, now } = this.options;
    for (;;) {
      const current = await store.get(LOCK_KEY);
      const record = current ? parseLock(current.body) : null;
      const abandoned = takeOverFrom !== undefined && record?.address === takeOverFrom;
      if (record && record.holder !== holder && now() < record.expiresAt && !abandoned) {
        throw new FencedError(
          "LEASE_HELD",
          `lease held by ${record.holder} until ${new Date(record.expiresAt).toISOString()}`,
          record.holder,
          record.expiresAt,
          record.address,
        );
      }
      const next = { holder, generation: (record?.generation ?? 0) + 1, expiresAt: now() + ttlMs, ...this.#addressed() };
      try {
        const info = await store.put(LOCK_KEY, encode(next), current ? { ifMatch: current.etag } : { ifNoneMatch: "*" });
        this.#held = { ...next, etag: info.etag };
        this.#handedOver = record === null || record.expiresAt === 0;
        return next;
      } catch (error) {
        // Another instance moved first: look again.
        if (!(error instanceof PreconditionFailedError)) throw error;
      }
    }
  }

  /** Extends the lease; `FencedError` (`FENCED`) when another took it meanwhile. */
  async renew(): Promise<LeaseRecord> {
    const held = this.#requireHeld();
    const next = { holder: held.holder, generation: held.generation, expiresAt: this.options.now() + this.options.ttlMs, ...this.#addressed() };
    try {
      const info = await this.options.store.put(LOCK_KEY, encode(next), { ifMatch: held.etag });
      this.#held = { ...next, etag: info.etag };
      return next;
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      // Our own earlier renewal may have landed with its answer lost: then the lock is still ours.
      const current = await this.options.store.get(LOCK_KEY);
      const record = current ? parseLock(current.body) : null;
      if (current && record && record.holder === held.holder && record.generation === held.generation) {
        this.#held = { ...record, etag: current.etag };
        return this.renew();
      }
      this.#held = null;
      this.#lost = new FencedError("FENCED", `lease generation ${held.generation} was taken over by another instance`);
      throw this.#lost;
    }
  }

  /** The lease, renewed when less than half of it is left (by this instance's clock). */
  async ensure(): Promise<LeaseRecord> {
    const held = this.#requireHeld();
    if (this.options.now() < held.expiresAt - this.options.ttlMs / 2) return held;
    return this.renew();
  }

  /** Gives the lease up at once (expiry now), keeping the generation count. */
  async release(): Promise<void> {
    const held = this.#held;
    if (!held) return;
    this.#held = null;
    try {
      await this.options.store.put(LOCK_KEY, encode({ holder: held.holder, generation: held.generation, expiresAt: 0 }), {
        ifMatch: held.etag,
      });
    } catch (error) {
      // Already taken over: nothing left to give up.
      if (!(error instanceof PreconditionFailedError)) throw error;
    }
  }

  #addressed(): { address?: string } {
    return this.options.address === undefined ? {} : { address: this.options.address };
  }

  #requireHeld(): LeaseRecord & { etag: string } {
    if (!this.#held) throw new FencedError("FENCED", "this instance holds no lease");
    return this.#held;
  }
}

function encode(record: LeaseRecord): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(record));
}

function parseLock(bytes: Uint8Array): LeaseRecord {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes)) as Partial<LeaseRecord>;
    if (typeof value.holder === "string" && Number.isInteger(value.generation) && typeof value.expiresAt === "number") {
      return value as LeaseRecord;
    }
  } catch {
    // Reported below with the key.
  }
  throw new CorruptSnapshotError(LOCK_KEY, "not a lease record {holder, generation, expiresAt}");
}
