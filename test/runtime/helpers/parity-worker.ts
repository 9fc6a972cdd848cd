// Runs unchanged on workerd (miniflare) and on the shim: workerd-parity.test.ts compares them.
import { DurableObject } from "cloudflare:workers";

export class Probe extends DurableObject {
  bigRowids(): unknown {
    const sql = this.ctx.storage.sql;
    sql.exec("CREATE TABLE big(x)");
    sql.exec("INSERT INTO big(rowid, x) VALUES (1152921504606846976, 'a'), (9007199254740993, 'b')");
    return sql.exec("SELECT CAST(rowid AS TEXT) AS id, rowid AS asNumber, x FROM big ORDER BY rowid").toArray();
  }
}

export default {
  async fetch(request: Request, env: { PROBE: { getByName(name: string): Probe } }): Promise<Response> {
    const probe = env.PROBE.getByName(new URL(request.url).pathname);
    return Response.json(await probe.bigRowids());
  },
};
