/** Base of every error dotdo throws: `code` is stable and safe to branch on. */
export class DotdoError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}
