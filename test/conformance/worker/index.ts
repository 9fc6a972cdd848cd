/**
 * The conformance Worker: the same source runs on workerd (bundled for miniflare) and on
 * the dotdo shim. `POST /scenario/<name>` runs one scenario and answers its encoded result.
 */
import { encode, captureError } from "./encode";
import type { Env } from "./env";
import { scenarios } from "./scenarios";

export { SqlProbe } from "./sql-probe";
export { KvProbe } from "./kv-probe";
export { AlarmProbe, NoAlarmProbe } from "./alarm-probe";
export { RpcProbe, NoFetchProbe, FailingConstructorProbe } from "./rpc-probe";
export { ConcurrencyProbe } from "./concurrency-probe";
export { LegacyProbe } from "./legacy-probe";
export { WebSocketProbe } from "./websocket-probe";
export { HostileProbe } from "./hostile-probe";

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/scenarios") return Response.json(Object.keys(scenarios));
    const name = decodeURIComponent(url.pathname.replace(/^\/scenario\//, ""));
    const scenario = scenarios[name];
    if (!scenario) return new Response(`no scenario named ${name}`, { status: 404 });
    try {
      return Response.json({ result: encode(await scenario(env)) });
    } catch (error) {
      return Response.json({ scenarioThrew: captureError(error) });
    }
  },
};
