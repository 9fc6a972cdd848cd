import { createGatewayHandler, type GatewayOptions } from "../../../src/gateway";
import { serveGateway, type GatewayServerOptions, type NodeGateway } from "../../../src/gateway/node";
import { createTokenVerifier } from "../../../src/runtime/auth";
import { createFileStore } from "../../../src/runtime/storage/file";
import type { ObjectStore } from "../../../src/runtime/storage/types";
import type { TestIssuer } from "../../auth/helpers/issuer";

export interface TestGateway extends NodeGateway {
  /** The store behind the gateway, to seed and to check. */
  bucket: ObjectStore;
}

export interface TestGatewayOptions extends Partial<Omit<GatewayOptions, "store" | "verifier">> {
  /** The bucket behind the gateway. Default: a file store in `root`. */
  store?: ObjectStore;
  server?: GatewayServerOptions;
}

/**
 * The gateway on Node (127.0.0.1, a random port) over a file store in `root` (or `options.store`),
 * trusting tokens from `idp`; `bucket`, when given, is the only bucket a token may name.
 */
export async function startTestGateway(idp: TestIssuer, root: string, options: TestGatewayOptions = {}): Promise<TestGateway> {
  const { store, server, ...handlerOptions } = options;
  const bucket = store ?? (await createFileStore(root));
  const handler = createGatewayHandler({
    store: bucket,
    verifier: createTokenVerifier({ issuer: idp.issuer, audience: idp.audience }),
    ...handlerOptions,
  });
  return { ...(await serveGateway(handler, server)), bucket };
}
