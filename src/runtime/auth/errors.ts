import { DotdoError } from "../errors";

/** The token is malformed, badly signed, uses a refused algorithm, or has the wrong iss/aud. */
export class TokenInvalidError extends DotdoError {
  constructor(message: string, options?: ErrorOptions) {
    super("TOKEN_INVALID", message, options);
  }
}

export class TokenExpiredError extends DotdoError {
  constructor(message: string, options?: ErrorOptions) {
    super("TOKEN_EXPIRED", message, options);
  }
}

export class TokenNotYetValidError extends DotdoError {
  constructor(message: string, options?: ErrorOptions) {
    super("TOKEN_NOT_YET_VALID", message, options);
  }
}

/** The issuer's keys could not be fetched: the token was neither accepted nor judged bad. */
export class KeysUnavailableError extends DotdoError {
  constructor(message: string, options?: ErrorOptions) {
    super("KEYS_UNAVAILABLE", message, options);
  }
}

/** The verifier was configured in a way that would weaken it (or cannot work at all). */
export class VerifierConfigError extends DotdoError {
  constructor(message: string, options?: ErrorOptions) {
    super("AUTH_CONFIG_INVALID", message, options);
  }
}

/** A verified token lacks a storage claim dotdo needs. */
export class ClaimsMissingError extends DotdoError {
  constructor(message: string) {
    super("CLAIMS_MISSING", message);
  }
}

/** A verified token carries a storage claim of the wrong shape or with unsafe values. */
export class ClaimsInvalidError extends DotdoError {
  constructor(message: string) {
    super("CLAIMS_INVALID", message);
  }
}

/** A key or prefix could leave its scope, or is not a well-formed key at all. */
export class PathForbiddenError extends DotdoError {
  constructor(message: string) {
    super("PATH_FORBIDDEN", message);
  }
}

/** The token's storage permissions do not include the operation. */
export class PermissionDeniedError extends DotdoError {
  constructor(message: string) {
    super("PERMISSION_DENIED", message);
  }
}
