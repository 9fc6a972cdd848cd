import { DurableObject } from "cloudflare:workers";
import type { Env } from "./env";

/** Object-to-object RPC: the scoreboard reads a counter by calling a method on its stub. */
export class Scoreboard extends DurableObject<Env> {
  /** The counter's count, read over RPC; `asked` counts how often this scoreboard has asked. */
  async readCounter(name: string): Promise<{ counter: string; count: number; asked: number }> {
    const count = await this.env.COUNTER.getByName(name).count();
    const asked = ((await this.ctx.storage.get<number>("asked")) ?? 0) + 1;
    await this.ctx.storage.put("asked", asked);
    return { counter: name, count, asked };
  }
}
