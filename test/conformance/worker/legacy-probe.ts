import type { DurableObjectState } from "cloudflare:workers";

/**
 * A Durable Object in the older style: a plain class, not `extends DurableObject`. It takes
 * fetch() and alarms; workerd refuses RPC to it with an explanation.
 */
export class LegacyProbe {
  constructor(
    private readonly state: DurableObjectState,
    private readonly env: { GREETING?: string },
  ) {}

  async fetch(): Promise<Response> {
    const visits = ((await this.state.storage.get<number>("visits")) ?? 0) + 1;
    await this.state.storage.put("visits", visits);
    const tables = this.state.storage.sql.exec("SELECT count(*) AS n FROM sqlite_master").one().n;
    return Response.json({ visits, greeting: this.env.GREETING ?? null, sqlWorks: typeof tables === "number" });
  }

  ping(): string {
    return "pong";
  }
}
