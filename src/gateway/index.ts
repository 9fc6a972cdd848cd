export { createGatewayHandler, type GatewayHandler, type GatewayOptions } from "./handler";
export { serveGateway, type NodeGateway } from "./node";
export { BadRequestError, BodyTooLargeError, BucketForbiddenError, GatewayConfigError } from "./errors";
export { statusFor } from "./status";
export { gatewayAuthFromEnv } from "./settings";
export { startNodeGateway, type StartedGateway, type StartGatewayOptions } from "./start";
