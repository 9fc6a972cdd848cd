import { errorWithCode } from "../errors";

/** The token is malformed, badly signed, uses a refused algorithm, or has the wrong iss/aud. */
export class TokenInvalidError extends errorWithCode("TOKEN_INVALID") {}

export class TokenExpiredError extends errorWithCode("TOKEN_EXPIRED") {}

export class TokenNotYetValidError extends errorWithCode("TOKEN_NOT_YET_VALID") {}

/** The token's `jti` is on the verifier's revocation list. */
export class TokenRevokedError extends errorWithCode("TOKEN_REVOKED") {}

/** The issuer's keys could not be fetched: the token was neither accepted nor judged bad. */
export class KeysUnavailableError extends errorWithCode("KEYS_UNAVAILABLE") {}

/** The verifier was configured in a way that would weaken it (or cannot work at all). */
export class VerifierConfigError extends errorWithCode("AUTH_CONFIG_INVALID") {}

/** A verified token lacks a storage claim dotdo needs. */
export class ClaimsMissingError extends errorWithCode("CLAIMS_MISSING") {}

/** A verified token carries a storage claim of the wrong shape or with unsafe values. */
export class ClaimsInvalidError extends errorWithCode("CLAIMS_INVALID") {}

/** A key or prefix could leave its scope, or is not a well-formed key at all. */
export class PathForbiddenError extends errorWithCode("PATH_FORBIDDEN") {}

/** The token's storage permissions do not include the operation. */
export class PermissionDeniedError extends errorWithCode("PERMISSION_DENIED") {}

/** An issuer setting that is not a usable URL. */
export class IssuerInvalidError extends errorWithCode("ISSUER_INVALID") {}
