export { createGatewayHandler, type GatewayHandler, type GatewayOptions } from "./handler";
export { serveGateway, type GatewayServerOptions, type NodeGateway } from "./node";
export type { BodyProgress } from "./body-progress";
export {
  BadRequestError,
  BodyTimeoutError,
  BodyTooLargeError,
  BucketForbiddenError,
  GatewayConfigError,
  TooManyUploadsError,
} from "./errors";
export { statusFor } from "./status";
export { gatewayAuthFromEnv } from "./settings";
export { revocationKv, type KvNamespaceLike } from "./revocation-kv";
export { startNodeGateway, type StartedGateway, type StartGatewayOptions } from "./start";
