import { createStore } from "../runtime/storage/create";
import { createGatewayHandler } from "./handler";
import { serveGateway, type NodeGateway } from "./node";
import { revocationFile } from "./revocation";
import { gatewayAuthFromEnv } from "./settings";

export interface StartGatewayOptions {
  /**
   * Where the bucket and the token rules come from: `DOTDO_STORAGE` / `R2_*` (see the storage
   * docs), `WORKOS_AUTH_DOMAIN`, `DOTDO_GATEWAY_AUDIENCE`, `R2_BUCKET`, `DOTDO_MAX_TOKEN_AGE`, and
   * `DOTDO_REVOKED` (a file of revoked token ids, one a line; tokens then need a `jti`).
   */
  env: Readonly<Record<string, unknown>>;
  port?: number;
  host?: string;
  onError?: (error: unknown) => void;
}

export interface StartedGateway extends NodeGateway {
  /** The bucket behind the gateway, e.g. `s3://bucket/prefix` or `file:///srv/data`. */
  storeUrl: string;
}

/** The gateway on Node, holding the bucket credentials from the environment. */
export async function startNodeGateway(options: StartGatewayOptions): Promise<StartedGateway> {
  const revokedPath = options.env.DOTDO_REVOKED;
  const revoked = typeof revokedPath === "string" && revokedPath !== "" ? await revocationFile(revokedPath) : undefined;
  const auth = gatewayAuthFromEnv(options.env, revoked && { revoked });
  const store = await createStore(options.env);
  const handler = createGatewayHandler({ store, ...auth, onError: options.onError });
  const server = await serveGateway(handler, { port: options.port, host: options.host });
  return { ...server, storeUrl: store.url };
}
