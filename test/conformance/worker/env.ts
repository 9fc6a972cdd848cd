import type { DurableObjectNamespace } from "cloudflare:workers";
import type { AlarmProbe, NoAlarmProbe } from "./alarm-probe";
import type { ConcurrencyProbe } from "./concurrency-probe";
import type { KvProbe } from "./kv-probe";
import type { HostileProbe } from "./hostile-probe";
import type { FailingConstructorProbe, NoFetchProbe, RpcProbe } from "./rpc-probe";
import type { SqlProbe } from "./sql-probe";
import type { WebSocketProbe } from "./websocket-probe";

/** Bindings of the conformance Worker; the same names are configured on both runtimes. */
export interface Env {
  SQL: DurableObjectNamespace<SqlProbe>;
  KV: DurableObjectNamespace<KvProbe>;
  ALARM: DurableObjectNamespace<AlarmProbe>;
  NO_ALARM: DurableObjectNamespace<NoAlarmProbe>;
  RPC: DurableObjectNamespace<RpcProbe>;
  NO_FETCH: DurableObjectNamespace<NoFetchProbe>;
  FAILING: DurableObjectNamespace<FailingConstructorProbe>;
  /** Untyped stubs: the class takes no RPC. */
  LEGACY: DurableObjectNamespace;
  WEBSOCKET: DurableObjectNamespace<WebSocketProbe>;
  CONCURRENCY: DurableObjectNamespace<ConcurrencyProbe>;
  HOSTILE: DurableObjectNamespace<HostileProbe>;
  GREETING: string;
}

/** Binding name → exported class name. */
export const DURABLE_OBJECTS = {
  SQL: "SqlProbe",
  KV: "KvProbe",
  ALARM: "AlarmProbe",
  NO_ALARM: "NoAlarmProbe",
  RPC: "RpcProbe",
  NO_FETCH: "NoFetchProbe",
  FAILING: "FailingConstructorProbe",
  LEGACY: "LegacyProbe",
  WEBSOCKET: "WebSocketProbe",
  CONCURRENCY: "ConcurrencyProbe",
  HOSTILE: "HostileProbe",
} as const satisfies Record<Exclude<keyof Env, "GREETING">, string>;

export const VARS = { GREETING: "hello" } as const;
