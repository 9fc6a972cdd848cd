import { TooManyUploadsError } from "./errors";

/** Who an upload is counted against. */
export interface UploadHolders {
  /** The token's id: its `jti` within its tenant, or a hash of the token when it has none. */
  token: string;
  /** The tenant's folder. */
  tenant: string;
}

export type UploadLimits = { readonly [holder in keyof UploadHolders]: number };

/**
 * Counts uploads in flight per token and per tenant folder: one stolen or runaway token cannot
 * take all of its tenant's slots, and no tenant, however many tokens it holds, can take every
 * connection and disk write of the gateway.
 */
export class UploadSlots {
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly limits: UploadLimits) {}

  /** Takes a slot of each holder, or none (`TooManyUploadsError`); call the result to give them back. */
  take(holders: UploadHolders): () => void {
    const counted = (Object.keys(this.limits) as (keyof UploadHolders)[]).map((holder) => {
      const key = `${holder}:${holders[holder]}`;
      const count = this.inFlight.get(key) ?? 0;
      if (count >= this.limits[holder]) throw new TooManyUploadsError(holder, this.limits[holder]);
      return { key, count };
    });
    for (const { key, count } of counted) this.inFlight.set(key, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const { key } of counted) {
        const left = (this.inFlight.get(key) ?? 1) - 1;
        if (left === 0) this.inFlight.delete(key);
        else this.inFlight.set(key, left);
      }
    };
  }
}
