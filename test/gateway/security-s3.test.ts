import { createS3Store } from "../../src/runtime/storage/s3";
import { startS3 } from "../helpers/s3";
import { tempDirs } from "../storage/temp-dir";
import { startTestGateway } from "./helpers/test-gateway";
import { describeGatewayAttacks } from "./helpers/http-attacks";

// The gateway on Node over an S3 bucket (s3rver), attacked over real HTTP on 127.0.0.1.
const newDir = tempDirs();

describeGatewayAttacks("gateway on Node (S3 backend)", async (idp) => {
  const s3 = await startS3();
  const store = createS3Store({
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  const gateway = await startTestGateway(idp, await newDir(), { store, bucket: "dotdo-test" });
  return {
    baseUrl: gateway.url,
    fetch: (url, init) => fetch(url, init),
    bucket: store,
    close: async () => {
      await gateway.close();
      await s3.close();
    },
  };
});
