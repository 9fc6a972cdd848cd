import { createR2Store, type R2BucketLike } from "../runtime/storage/r2";
import { DotdoError } from "../runtime/errors";
import { createGatewayHandler, type GatewayHandler } from "./handler";
import { GatewayConfigError } from "./errors";
import { revocationKv, type KvNamespaceLike } from "./revocation-kv";
import { gatewayAuthFromEnv } from "./settings";

/**
 * The gateway as a Cloudflare Worker: the bucket is the R2 binding `BUCKET`, and revoked token
 * ids are the keys of the KV namespace bound as `DOTDO_REVOKED`, when there is one.
 */
export interface GatewayWorkerEnv {
  BUCKET: R2BucketLike;
  DOTDO_REVOKED?: KvNamespaceLike;
  [name: string]: unknown;
}

// One handler per isolate, so the issuer's key set is fetched once and then cached.
let handler: GatewayHandler | undefined;

export default {
  async fetch(request: Request, env: GatewayWorkerEnv): Promise<Response> {
    try {
      if (!env.BUCKET) throw new GatewayConfigError("the Worker has no R2 binding named BUCKET");
      handler ??= createGatewayHandler({ store: createR2Store(env.BUCKET, "BUCKET"), ...gatewayAuthFromEnv(env, revocation(env)) });
    } catch (error) {
      const message = error instanceof DotdoError ? error.message : "gateway failed to start";
      return Response.json({ error: { code: "GATEWAY_CONFIG_INVALID", message } }, { status: 500 });
    }
    return handler(request);
  },
};

/** The revocation check, from the `DOTDO_REVOKED` binding (on Node the same name is a file's path). */
function revocation(env: GatewayWorkerEnv): { revoked?: (jti: string) => Promise<boolean> } {
  const binding: unknown = env.DOTDO_REVOKED;
  if (binding === undefined) return {};
  if (typeof (binding as Partial<KvNamespaceLike> | null)?.get !== "function") {
    throw new GatewayConfigError("DOTDO_REVOKED must be a KV namespace binding on Workers (a file path works only on Node)");
  }
  return { revoked: revocationKv(binding as KvNamespaceLike) };
}
