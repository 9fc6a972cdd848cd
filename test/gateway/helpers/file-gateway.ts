import { createGatewayHandler } from "../../../src/gateway";
import { serveGateway, type NodeGateway } from "../../../src/gateway/node";
import { createTokenVerifier } from "../../../src/runtime/auth";
import { createFileStore } from "../../../src/runtime/storage/file";
import type { ObjectStore } from "../../../src/runtime/storage/types";
import type { TestIssuer } from "../../auth/helpers/issuer";

export interface FileGateway extends NodeGateway {
  /** The file store behind the gateway, to seed and to check. */
  bucket: ObjectStore;
}

/**
 * The gateway on Node (127.0.0.1, a random port) over a file store in `root`, trusting
 * tokens from `idp`; `bucket`, when given, is the only bucket a token may name.
 */
export async function startFileGateway(idp: TestIssuer, root: string, options: { bucket?: string } = {}): Promise<FileGateway> {
  const bucket = await createFileStore(root);
  const handler = createGatewayHandler({
    store: bucket,
    verifier: createTokenVerifier({ issuer: idp.issuer, audience: idp.audience }),
    bucket: options.bucket,
  });
  return { ...(await serveGateway(handler)), bucket };
}
