/** Base of every error dotdo throws: `code` is stable and safe to branch on. */
export class DotdoError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * A base for errors that carry nothing but a message and a fixed `code`:
 * `class TokenExpiredError extends errorWithCode("TOKEN_EXPIRED") {}`.
 */
export function errorWithCode(code: string): new (message: string, options?: ErrorOptions) => DotdoError {
  return class extends DotdoError {
    constructor(message: string, options?: ErrorOptions) {
      super(code, message, options);
    }
  };
}
