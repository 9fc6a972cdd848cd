import { DurableObject } from "../../src/runtime/index";

/** Keeps state in SQL, KV and the alarm: everything a checkpoint must carry. */
export class Ledger extends DurableObject {
  add(note: string, amount: number): number {
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS entries (id INTEGER PRIMARY KEY, note TEXT, amount REAL)");
    this.ctx.storage.sql.exec("INSERT INTO entries (note, amount) VALUES (?, ?)", note, amount);
    return this.ctx.storage.sql.exec("SELECT count(*) AS n FROM entries").one().n as number;
  }

  entries(): unknown[] {
    return this.ctx.storage.sql.exec("SELECT id, note, amount FROM entries ORDER BY id").toArray();
  }

  async remember(key: string, value: unknown): Promise<void> {
    await this.ctx.storage.put(key, value);
  }

  async recall(key: string): Promise<unknown> {
    return this.ctx.storage.get(key);
  }

  async scheduleAt(time: number): Promise<void> {
    await this.ctx.storage.setAlarm(time);
  }

  async alarmAt(): Promise<number | null> {
    return this.ctx.storage.getAlarm();
  }

  override async alarm(): Promise<void> {}

  /** The persistence API the DurableObject base class offers, called from inside. */
  async saveNow(): Promise<number | null> {
    return (await this.saveToIceberg())?.sequence ?? null;
  }

  async goBackTo(sequence: number): Promise<number | null> {
    return (await this.loadFromIceberg({ sequence }))?.sequence ?? null;
  }

  async checkpoints(): Promise<{ sequence: number; entries: number }[]> {
    return (await this.listSnapshots()).map((s) => ({ sequence: s.sequence, entries: s.tables.find((t) => t.name === "entries")?.rows ?? 0 }));
  }

  async fenceAndRelease(): Promise<number> {
    this.configureIceberg({ autoCheckpoint: false });
    const token = await this.acquireFencingToken();
    await this.releaseFencingToken(token);
    return token.generation;
  }
}
