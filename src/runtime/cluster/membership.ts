import { withTimeout } from "../retry";
import { sha256 } from "../sha256";

export interface MembershipOptions {
  /** This replica's advertised base URL. */
  self: string;
  /** The live replicas' base URLs, as the platform lists them (DNS, a static list). Without it, objects nobody holds open where they are called. */
  peers?: () => Promise<string[]>;
  /** Whether the replica at a base URL answers (a health check). */
  probe: (address: string) => Promise<boolean>;
  /** How long a list of peers is reused. Default 5 s. */
  refreshMs?: number;
  /** How long a replica that could not be reached is left out of placement. Default 10 s. */
  suspectMs?: number;
  now?: () => number;
}

/** How long a probe's answer is reused, so that many objects of one holder cost one probe. */
const PROBE_CACHE_MS = 1_000;
const PROBE_TIMEOUT_MS = 2_000;

/**
 * The live replicas, as the platform lists them, and placement over them: with no holder, an
 * object's owner is the replica with the highest rendezvous weight for its id, so that
 * replicas agree without talking. The lease stays the only authority: placement only avoids
 * two replicas racing for one object.
 */
export class Membership {
  readonly #options: MembershipOptions;
  readonly #self: string;
  readonly #suspects = new Map<string, number>();
  readonly #probes = new Map<string, { at: number; alive: Promise<boolean> }>();
  #peers: { at: number; list: Promise<string[]> } | undefined;

  constructor(options: MembershipOptions) {
    this.#options = options;
    this.#self = origin(options.self);
  }

  /** The replica that should hold `key` when nobody does: this one's URL, or a peer's. */
  async owner(key: string): Promise<string> {
    const candidates = new Set([this.#self]);
    for (const peer of await this.#live()) if (!this.#suspected(peer)) candidates.add(peer);
    let best = this.#self;
    let bestWeight = -1;
    for (const candidate of candidates) {
      const weight = await rendezvousWeight(candidate, key);
      if (weight > bestWeight || (weight === bestWeight && candidate < best)) [best, bestWeight] = [candidate, weight];
    }
    return best;
  }

  /** Whether `address` is this replica. */
  isSelf(address: string): boolean {
    return origin(address) === this.#self;
  }

  /** A call to `address` failed: leave it out of placement for a while. */
  suspect(address: string): void {
    this.#suspects.set(origin(address), this.#now() + (this.#options.suspectMs ?? 10_000));
  }

  /** Whether the replica at `address` is gone: it does not answer a health probe. */
  async gone(address: string): Promise<boolean> {
    const key = origin(address);
    const cached = this.#probes.get(key);
    if (cached && this.#now() - cached.at < PROBE_CACHE_MS) return !(await cached.alive);
    const alive = withTimeout(this.#options.probe(address), PROBE_TIMEOUT_MS).catch(() => false);
    this.#probes.set(key, { at: this.#now(), alive });
    if (await alive) return false;
    this.suspect(address);
    return true;
  }

  #suspected(address: string): boolean {
    const until = this.#suspects.get(address);
    if (until === undefined) return false;
    if (this.#now() < until) return true;
    this.#suspects.delete(address);
    return false;
  }

  /** The platform's list, refreshed every `refreshMs`; a failed lookup keeps the last one. */
  async #live(): Promise<string[]> {
    if (!this.#options.peers) return [];
    const cached = this.#peers;
    if (cached && this.#now() - cached.at < (this.#options.refreshMs ?? 5_000)) return cached.list;
    const list = this.#options
      .peers()
      .then((peers) => peers.map(origin))
      .catch((error: unknown) => {
        console.error("dotdo cluster: could not list the replicas:", error);
        return cached?.list ?? [];
      });
    this.#peers = { at: this.#now(), list };
    return list;
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }
}

/** A URL's scheme, host and port: how replicas are compared. */
function origin(address: string): string {
  return new URL(address).origin;
}

/** Highest-random-weight hashing: the first 48 bits of SHA-256(member, key). */
async function rendezvousWeight(member: string, key: string): Promise<number> {
  const digest = await sha256(new TextEncoder().encode(`${member}\n${key}`));
  return digest.slice(0, 6).reduce((weight, byte) => weight * 256 + byte, 0);
}
