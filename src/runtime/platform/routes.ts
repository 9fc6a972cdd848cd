import { FORWARD_PATH } from "../cluster/remote-object";
import type { Assets } from "../assets/assets";
import type { Worker } from "../worker";
import { timingSafeEqual } from "../timing-safe";
import { boundedRequest, maxBodyBytesFrom } from "./body-limit";
import { serverInfo } from "./info";

/** Answered by every server entry itself: load balancers and orchestrators probe it (liveness). */
export const HEALTH_PATH = "/__dotdo/health";
/** 503 while the object store cannot be reached, or while stopping: orchestrators route no traffic here then. */
export const READY_PATH = "/__dotdo/ready";
/** Prometheus text format; the k8s preset's ServiceMonitor scrapes it. */
export const METRICS_PATH = "/__dotdo/metrics";
/** Which runtime serves the Worker and which kind of store keeps its objects (`ServerInfo`). */
export const INFO_PATH = "/__dotdo/info";

/**
 * Who may read dotdo's own endpoints in full, and the largest body the Worker is given. The
 * server entries take these from their caller, else from the environment (`platformOptions`).
 */
export interface PlatformOptions {
  /**
   * When set (default: `DOTDO_METRICS_TOKEN`), metrics need `Authorization: Bearer <token>`,
   * and health and readiness tell only their verdict to callers without it: their status
   * codes stay open to probes, what the store said and the counts do not. Unset, they are open.
   */
  metricsToken?: string;
  /**
   * The largest request body the Worker is given (default: `DOTDO_MAX_BODY_BYTES`, else 100 MiB,
   * Cloudflare's limit on its Free and Pro plans). One declared larger is answered 413
   * (`BODY_TOO_LARGE`); one that streams past it fails the Worker's read of it (`boundedRequest`).
   */
  maxBodyBytes?: number;
}

/** `given`, with what it leaves out read from the environment (`env` reads one variable). */
export function platformOptions(given: PlatformOptions, env: (name: string) => string | undefined): PlatformOptions {
  return {
    metricsToken: given.metricsToken ?? (env("DOTDO_METRICS_TOKEN") || undefined),
    maxBodyBytes: given.maxBodyBytes ?? maxBodyBytesFrom(env("DOTDO_MAX_BODY_BYTES")),
  };
}

export type PlatformWorker = Pick<Worker, "fetch" | "objects" | "health" | "forwarded" | "forwards" | "storage">;

/**
 * The Worker's fetch with dotdo's own endpoints in front, then the static assets (routed as
 * Cloudflare does) when the project has them, for server entries (Node, Bun, Deno).
 * Web-standard, so each entry stays a thin adapter to its runtime's server.
 */
export function platformHandler(worker: PlatformWorker, assets?: Assets, options: PlatformOptions = {}): (request: Request) => Promise<Response> {
  let requests = 0;
  const { metricsToken, maxBodyBytes = Infinity } = options;
  const trusted = (request: Request) => metricsToken === undefined || timingSafeEqual(request.headers.get("authorization") ?? "", `Bearer ${metricsToken}`);
  const toWorker = async (request: Request): Promise<Response> => {
    const bounded = boundedRequest(request, maxBodyBytes);
    if (bounded instanceof Response) return bounded;
    requests++;
    return worker.fetch(bounded);
  };
  return async (request) => {
    const { pathname } = new URL(request.url);
    // Alive even while the store is down (a restart would not help) and while stopping (other
    // replicas wait for its objects instead of taking them over): the body says so.
    if (pathname === HEALTH_PATH) return Response.json({ ok: true, ...(trusted(request) && (await worker.health())) });
    if (pathname === READY_PATH) {
      const health = await worker.health();
      const ready = health.store === "ok" && !health.stopping;
      return Response.json({ ready, ...(trusted(request) && health) }, { status: ready ? 200 : 503 });
    }
    if (pathname === INFO_PATH) return Response.json(serverInfo(worker));
    if (pathname === FORWARD_PATH && worker.forwarded) return worker.forwarded(request);
    if (pathname === METRICS_PATH) {
      if (!trusted(request)) {
        const error = { code: "METRICS_TOKEN_REQUIRED", message: "metrics need Authorization: Bearer <DOTDO_METRICS_TOKEN>" };
        return Response.json({ error }, { status: 401, headers: { "www-authenticate": "Bearer" } });
      }
      return new Response(metrics(worker, requests), { headers: { "content-type": "text/plain; version=0.0.4" } });
    }
    return assets ? assets.route(request, toWorker) : toWorker(request);
  };
}

function metrics(worker: PlatformWorker, requests: number): string {
  const live = Object.entries(worker.objects).map(
    ([binding, registry]) => `dotdo_objects_live{binding=${JSON.stringify(binding)}} ${registry.liveIds.length}`,
  );
  return [
    "# HELP dotdo_requests_total Requests passed to the Worker since start.",
    "# TYPE dotdo_requests_total counter",
    `dotdo_requests_total ${requests}`,
    "# HELP dotdo_objects_live Durable Objects live (held) in this process, per binding.",
    "# TYPE dotdo_objects_live gauge",
    ...live,
    ...(worker.forwards
      ? [
          "# HELP dotdo_forwards_total Calls forwarded between replicas: sent to an object's holder, received as its holder, or failed on the way.",
          "# TYPE dotdo_forwards_total counter",
          `dotdo_forwards_total{direction="out"} ${worker.forwards.sent}`,
          `dotdo_forwards_total{direction="in"} ${worker.forwards.received}`,
          "# HELP dotdo_forward_errors_total Forwarded calls that failed on the way to the holder.",
          "# TYPE dotdo_forward_errors_total counter",
          `dotdo_forward_errors_total ${worker.forwards.failed}`,
        ]
      : []),
    "",
  ].join("\n");
}
