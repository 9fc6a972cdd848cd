import { DurableObject, type DurableObjectState } from "cloudflare:workers";
import type { Env } from "./env";

/** One stored checkpoint of a counter, as the page lists it. */
export interface Checkpoint {
  sequence: number;
  timestampMs: number;
  /** The count then: how many rows the checkpoint holds in the `hits` table. */
  count: number;
}

/** An answer, or why this runtime cannot give one. */
export type Answer<T> = T | { unavailable: string };

const ON_WORKERD =
  "No checkpoints on workerd: Cloudflare stores Durable Objects itself. dotdo's Iceberg checkpoints, and time travel through them, exist on the node, bun and deno outputs.";
const PERSISTENCE_OFF = "No checkpoints: this server keeps its objects in memory only, without a store.";

/**
 * A counter in SQL: one row per hit, so a checkpoint's row count of `hits` is the count it
 * holds. Off Cloudflare, dotdo's persistence API on `this` lists the checkpoints and loads one.
 */
export class Counter extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS hits (id INTEGER PRIMARY KEY, at INTEGER NOT NULL)");
  }

  increment(): number {
    this.ctx.storage.sql.exec("INSERT INTO hits (at) VALUES (?)", Date.now());
    return this.count();
  }

  count(): number {
    return this.ctx.storage.sql.exec("SELECT count(*) AS n FROM hits").one().n as number;
  }

  /** Checkpoints now; `changed: false` when the newest checkpoint already holds this state. */
  checkpoint(): Promise<Answer<{ sequence: number; changed: boolean }>> {
    return this.#persistence(async () => {
      const saved = await this.saveToIceberg();
      if (saved) return { sequence: saved.sequence, changed: true };
      return { sequence: (await this.listSnapshots()).at(-1)?.sequence ?? 0, changed: false };
    });
  }

  checkpoints(): Promise<Answer<{ checkpoints: Checkpoint[] }>> {
    return this.#persistence(async () => ({
      checkpoints: (await this.listSnapshots()).map((s) => ({
        sequence: s.sequence,
        timestampMs: s.timestampMs,
        count: s.tables.find((t) => t.name === "hits")?.rows ?? 0,
      })),
    }));
  }

  /** Time travel: checkpoint `sequence` becomes the live state, and the next checkpoint. */
  restore(sequence: number): Promise<Answer<{ count: number }>> {
    return this.#persistence(async () => {
      await this.loadFromIceberg({ sequence });
      return { count: this.count() };
    });
  }

  async #persistence<T>(use: () => Promise<T>): Promise<Answer<T>> {
    // workerd's DurableObject has no persistence API at all.
    if (typeof this.listSnapshots !== "function") return { unavailable: ON_WORKERD };
    try {
      return await use();
    } catch (error) {
      if ((error as { code?: unknown }).code === "PERSISTENCE_OFF") return { unavailable: PERSISTENCE_OFF };
      throw error;
    }
  }
}
