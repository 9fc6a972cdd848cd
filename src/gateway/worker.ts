import { createR2Store, type R2BucketLike } from "../runtime/storage/r2";
import { DotdoError } from "../runtime/errors";
import { createGatewayHandler, type GatewayHandler } from "./handler";
import { GatewayConfigError } from "./errors";
import { gatewayAuthFromEnv } from "./settings";

/** The gateway as a Cloudflare Worker: the bucket is the R2 binding `BUCKET`. */
export interface GatewayWorkerEnv {
  BUCKET: R2BucketLike;
  [name: string]: unknown;
}

// One handler per isolate, so the issuer's key set is fetched once and then cached.
let handler: GatewayHandler | undefined;

export default {
  async fetch(request: Request, env: GatewayWorkerEnv): Promise<Response> {
    try {
      if (!env.BUCKET) throw new GatewayConfigError("the Worker has no R2 binding named BUCKET");
      handler ??= createGatewayHandler({ store: createR2Store(env.BUCKET, "BUCKET"), ...gatewayAuthFromEnv(env) });
    } catch (error) {
      const message = error instanceof DotdoError ? error.message : "gateway failed to start";
      return Response.json({ error: { code: "GATEWAY_CONFIG_INVALID", message } }, { status: 500 });
    }
    return handler(request);
  },
};
