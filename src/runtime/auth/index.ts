export * from "./errors";
export { PERMISSIONS, readStorageClaims, type Permission, type StorageClaims } from "./claims";
export { assertIdentifier, checkListPrefix, keySegments, prefixSegments } from "./path";
export {
  createTokenVerifier,
  DEFAULT_ALGORITHMS,
  DEFAULT_CLOCK_TOLERANCE_SEC,
  type KeySource,
  type TokenVerifier,
  type TokenVerifierOptions,
  type VerifiedToken,
} from "./verify";
export { scopeStore, tenantRoot, type StorageScope } from "./scoped-store";
export { DEFAULT_ISSUER, normaliseIssuer } from "./issuer";
