import { DotdoError, errorWithCode } from "../runtime/errors";

/** The token grants a bucket other than the one this gateway serves. */
export class BucketForbiddenError extends DotdoError {
  constructor(granted: string, served: string) {
    super("BUCKET_FORBIDDEN", `the token grants bucket ${JSON.stringify(granted)}, but this gateway serves ${JSON.stringify(served)}`);
  }
}

/** A request body larger than the gateway accepts. */
export class BodyTooLargeError extends DotdoError {
  constructor(limit: number) {
    super("BODY_TOO_LARGE", `request body exceeds ${limit} bytes`);
  }
}

/** A request the gateway's protocol does not define (unknown path, method or header form). */
export class BadRequestError extends DotdoError {
  readonly status: number;

  constructor(status: number, message: string) {
    super(status === 404 ? "NOT_FOUND" : status === 405 ? "METHOD_NOT_ALLOWED" : "BAD_REQUEST", message);
    this.status = status;
  }
}

/** The gateway cannot start: a setting is missing or wrong. */
export class GatewayConfigError extends errorWithCode("GATEWAY_CONFIG_INVALID") {}

/** An upload body that stopped arriving, or arrives slower than the gateway's minimum rate. */
export class BodyTimeoutError extends errorWithCode("BODY_TIMEOUT") {}

/** A token, or its tenant, already has as many uploads in flight as the gateway allows at once. */
export class TooManyUploadsError extends DotdoError {
  constructor(holder: "token" | "tenant", limit: number) {
    super("TOO_MANY_UPLOADS", `this ${holder} already has ${limit} uploads in flight; retry when one has finished`);
  }
}
