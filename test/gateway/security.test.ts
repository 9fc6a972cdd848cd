import { tempDirs } from "../storage/temp-dir";
import { startTestGateway } from "./helpers/test-gateway";
import { describeGatewayAttacks } from "./helpers/http-attacks";

// The gateway on Node over the file backend, attacked over real HTTP on 127.0.0.1.
const newDir = tempDirs();

describeGatewayAttacks("gateway on Node (file backend)", async (idp) => {
  const gateway = await startTestGateway(idp, await newDir(), { bucket: "dotdo-test" });
  return { baseUrl: gateway.url, fetch: (url, init) => fetch(url, init), bucket: gateway.bucket, close: () => gateway.close() };
});
