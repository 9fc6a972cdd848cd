import { DotdoError, errorWithCode } from "../errors";

/** A conditional write did not hold: the key exists (create-only) or its etag moved on. */
export class PreconditionFailedError extends DotdoError {
  readonly key: string;
  /** The condition as it reads on the wire, e.g. `If-None-Match: *`. */
  readonly condition: string;

  constructor(key: string, condition: string, options?: ErrorOptions) {
    super("PRECONDITION_FAILED", `Precondition failed for "${key}": ${condition}`, options);
    this.key = key;
    this.condition = condition;
  }
}

/** The store accepted a write it should have refused: it ignores conditional writes. */
export class StoreUnsafeError extends DotdoError {
  readonly url: string;
  readonly condition: string;

  constructor(url: string, condition: string) {
    super(
      "STORE_IGNORES_PRECONDITIONS",
      `The store ${url} ignores conditional writes (${condition} was not enforced), so two ` +
        `instances could overwrite each other's state. Use a store that enforces them, or ` +
        `opt into single-instance mode (DOTDO_SINGLE_INSTANCE=1) if only one instance ever runs.`,
    );
    this.url = url;
    this.condition = condition;
  }
}

/** A key or prefix that cannot be stored safely (path traversal, NUL, backslash, …). */
export class InvalidKeyError extends DotdoError {
  readonly key: string;

  constructor(key: string, reason: string) {
    super("INVALID_KEY", `Invalid storage key ${JSON.stringify(key)}: ${reason}`);
    this.key = key;
  }
}

/** A range, page size or similar argument outside what the interface accepts. */
export class InvalidArgumentError extends errorWithCode("INVALID_ARGUMENT") {}

/** `DOTDO_STORAGE` or a store option cannot be understood. */
export class StorageConfigError extends errorWithCode("STORAGE_CONFIG_INVALID") {}

/** The storage gateway answered with something this client does not understand. */
export class GatewayProtocolError extends errorWithCode("GATEWAY_PROTOCOL") {}

/** The backend failed for a reason other than a precondition (network, permissions, …). */
export class StorageRequestError extends DotdoError {
  readonly url: string;
  readonly operation: string;
  readonly key: string;

  constructor(url: string, operation: string, key: string, detail: string, options?: ErrorOptions) {
    super("STORAGE_REQUEST_FAILED", `${operation} "${key}" on ${url} failed: ${detail}`, options);
    this.url = url;
    this.operation = operation;
    this.key = key;
  }
}

/**
 * `error` as thrown to callers of a store: dotdo errors pass through; anything else (a
 * network, file-system or SDK error) becomes a `StorageRequestError` naming the operation.
 */
export function storageFailure(url: string, operation: string, key: string, error: unknown, detail?: string): Error {
  if (error instanceof DotdoError) return error;
  const message = detail ?? (error instanceof Error ? error.message || error.name : String(error));
  return new StorageRequestError(url, operation, key, message, { cause: error });
}
