import { DotdoError, errorWithCode } from "../../runtime/errors";

/** A user config or token file exists but cannot be used; it is never overwritten silently. */
export class ConfigFileError extends DotdoError {
  readonly path: string;

  constructor(path: string, reason: string, options?: ErrorOptions) {
    super("CONFIG_FILE_INVALID", `${path}: ${reason}`, options);
    this.path = path;
  }
}

/** `dotdo config` was given a key or value it does not know how to store. */
export class ConfigKeyError extends errorWithCode("CONFIG_KEY_INVALID") {}

/** The OAuth exchange failed: `oauthError` is the issuer's error code when it sent one. */
export class LoginError extends DotdoError {
  readonly oauthError: string | undefined;

  constructor(code: string, message: string, oauthError?: string, options?: ErrorOptions) {
    super(code, message, options);
    this.oauthError = oauthError;
  }
}

/** No usable session: never logged in, logged out, or the refresh token was refused. */
export class NotLoggedInError extends DotdoError {
  constructor(reason: string) {
    super("NOT_LOGGED_IN", `${reason}. Run \`dotdo login\`.`);
  }
}
