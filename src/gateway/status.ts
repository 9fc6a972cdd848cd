import { DotdoError } from "../runtime/errors";
import { BadRequestError } from "./errors";

/**
 * HTTP status for each error code: a token that cannot be trusted is 401; a trusted token
 * asking for something it was not granted is 403.
 */
const STATUS: Readonly<Record<string, number>> = {
  TOKEN_INVALID: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_NOT_YET_VALID: 401,
  TOKEN_REVOKED: 401,
  CLAIMS_MISSING: 403,
  CLAIMS_INVALID: 403,
  PATH_FORBIDDEN: 403,
  PERMISSION_DENIED: 403,
  BUCKET_FORBIDDEN: 403,
  PRECONDITION_FAILED: 412,
  BODY_TOO_LARGE: 413,
  BODY_TIMEOUT: 408,
  TOO_MANY_UPLOADS: 429,
  INVALID_KEY: 400,
  INVALID_ARGUMENT: 400,
  KEYS_UNAVAILABLE: 503,
};

/** The status for an error, or 500 for anything that is not a known `DotdoError`. */
export function statusFor(error: unknown): number {
  if (error instanceof BadRequestError) return error.status;
  if (error instanceof DotdoError) return STATUS[error.code] ?? 500;
  return 500;
}
