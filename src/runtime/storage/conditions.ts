import { PreconditionFailedError } from "./errors";
import type { PutOptions } from "./types";

/** How a create-only condition reads on the wire. */
export const CREATE_ONLY = "If-None-Match: *";

/** The condition of a put as it reads on the wire, for error messages; `undefined` if none. */
export function describeCondition(options: PutOptions | undefined): string | undefined {
  if (options?.ifNoneMatch === "*") return CREATE_ONLY;
  if (options?.ifMatch !== undefined) return `If-Match: "${options.ifMatch}"`;
  return undefined;
}

/**
 * For backends that check conditions themselves (memory, file): throws
 * `PreconditionFailedError` unless `options` hold for the key's current etag.
 */
export function assertPrecondition(
  key: string,
  options: PutOptions | undefined,
  currentEtag: string | undefined,
): void {
  const holds =
    options?.ifNoneMatch === "*"
      ? currentEtag === undefined
      : options?.ifMatch === undefined || options.ifMatch === currentEtag;
  if (!holds) throw new PreconditionFailedError(key, describeCondition(options) ?? "");
}
