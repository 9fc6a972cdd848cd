/**
 * The benchmark Worker: one DO class, the same source on workerd and on the shim.
 * `GET /op/<name>?n=N` performs the operation N times and answers when done; the runner
 * times requests with N and with 0 from outside, so request overhead cancels out.
 */
import { DurableObject, type DurableObjectNamespace } from "cloudflare:workers";

interface Env {
  BENCH: DurableObjectNamespace<BenchObject>;
}

export class BenchObject extends DurableObject {
  constructor(ctx: ConstructorParameters<typeof DurableObject>[0], env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, v TEXT)");
  }

  sqlInsert(n: number): number {
    for (let i = 0; i < n; i++) this.ctx.storage.sql.exec("INSERT INTO rows (v) VALUES (?)", `value ${i}`);
    return n;
  }

  sqlSelect(n: number): number {
    this.ctx.storage.sql.exec("INSERT OR IGNORE INTO rows (id, v) VALUES (1, 'one')");
    let found = 0;
    for (let i = 0; i < n; i++) found += this.ctx.storage.sql.exec("SELECT v FROM rows WHERE id = ?", 1).toArray().length;
    return found;
  }

  async kvGet(n: number): Promise<number> {
    await this.ctx.storage.put("key", { hello: "world", n: 1 });
    let found = 0;
    for (let i = 0; i < n; i++) if ((await this.ctx.storage.get("key")) !== undefined) found++;
    return found;
  }

  async kvPut(n: number): Promise<number> {
    for (let i = 0; i < n; i++) await this.ctx.storage.put(`key${i % 100}`, { hello: "world", i });
    return n;
  }

  ping(): string {
    return "pong";
  }

  /** What an idle instance has done once: a row in SQL and a KV key. */
  touch(): string {
    this.ctx.storage.sql.exec("INSERT INTO rows (v) VALUES ('touched')");
    void this.ctx.storage.put("touched", true);
    return "ok";
  }

  override fetch(): Response {
    return new Response("pong");
  }
}

export const OPERATIONS = ["sql insert", "sql select", "kv get", "kv put", "stub fetch", "rpc call"] as const;
export type Operation = (typeof OPERATIONS)[number];

async function perform(env: Env, op: string, n: number): Promise<number> {
  const stub = env.BENCH.getByName("bench");
  switch (op) {
    case "sql insert":
      return stub.sqlInsert(n);
    case "sql select":
      return stub.sqlSelect(n);
    case "kv get":
      return stub.kvGet(n);
    case "kv put":
      return stub.kvPut(n);
    case "stub fetch":
      for (let i = 0; i < n; i++) await (await stub.fetch("http://bench/")).text();
      await stub.ping(); // the in-object operations above also cost one call: keep baselines alike
      return n;
    case "rpc call":
      for (let i = 0; i < n; i++) await stub.ping();
      await stub.ping();
      return n;
    case "touch":
      return (await env.BENCH.getByName(`idle-${n}`).touch()) === "ok" ? 1 : 0;
    default:
      throw new Error(`unknown operation ${op}`);
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const op = decodeURIComponent(url.pathname.replace(/^\/op\//, ""));
    const n = Number(url.searchParams.get("n") ?? "0");
    return Response.json({ done: await perform(env, op, n) });
  },
};
