import { createTokenVerifier } from "../../src/runtime/auth";
import { createFileStore } from "../../src/runtime/storage/file";
import { createGatewayHandler } from "../../src/gateway";
import { serveGateway } from "../../src/gateway/node";
import { tempDirs } from "../storage/temp-dir";
import { describeGatewayAttacks } from "./helpers/http-attacks";

// The gateway on Node over the file backend, attacked over real HTTP on 127.0.0.1.
const newDir = tempDirs();

describeGatewayAttacks("gateway on Node (file backend)", async (idp) => {
  const bucket = await createFileStore(await newDir());
  const handler = createGatewayHandler({
    store: bucket,
    verifier: createTokenVerifier({ issuer: idp.issuer, audience: idp.audience }),
    bucket: "dotdo-test",
  });
  const gateway = await serveGateway(handler);
  return { baseUrl: gateway.url, fetch: (url, init) => fetch(url, init), bucket, close: () => gateway.close() };
});
