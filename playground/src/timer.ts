import { DurableObject, type DurableObjectState } from "cloudflare:workers";
import type { Env } from "./env";

export interface Fired {
  note: string;
  /** When the alarm was set to fire, and when it did (ms since the epoch). */
  due: number;
  fired: number;
}

/** A scheduled job on the object's alarm: one pending at a time; each firing is kept in SQL. */
export class Timer extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS fired (id INTEGER PRIMARY KEY, note TEXT NOT NULL, due INTEGER NOT NULL, fired INTEGER NOT NULL)");
  }

  /** Sets the alarm `delayMs` from now (replacing a pending one); answers when it is due. */
  async schedule(note: string, delayMs: number): Promise<number> {
    const due = Date.now() + delayMs;
    await this.ctx.storage.put({ note, due });
    await this.ctx.storage.setAlarm(due);
    return due;
  }

  async status(): Promise<{ pending: number | null; fired: Fired[] }> {
    return {
      pending: await this.ctx.storage.getAlarm(),
      fired: this.ctx.storage.sql.exec("SELECT note, due, fired FROM fired ORDER BY id DESC LIMIT 10").toArray() as unknown as Fired[],
    };
  }

  override async alarm(): Promise<void> {
    const { note, due } = Object.fromEntries(await this.ctx.storage.get(["note", "due"])) as { note: string; due: number };
    this.ctx.storage.sql.exec("INSERT INTO fired (note, due, fired) VALUES (?, ?, ?)", note, due, Date.now());
  }
}
