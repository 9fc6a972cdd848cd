import { TooManyUploadsError } from "./errors";

/** Counts uploads in flight per tenant folder, so one tenant cannot take every connection and disk write. */
export class UploadSlots {
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly limit: number) {}

  /** Takes a slot for `tenant` (`TooManyUploadsError` when all are taken); call the result to give it back. */
  take(tenant: string): () => void {
    const count = this.inFlight.get(tenant) ?? 0;
    if (count >= this.limit) throw new TooManyUploadsError(this.limit);
    this.inFlight.set(tenant, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.inFlight.get(tenant) ?? 1) - 1;
      if (left === 0) this.inFlight.delete(tenant);
      else this.inFlight.set(tenant, left);
    };
  }
}
