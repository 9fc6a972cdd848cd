import { DotdoError } from "../../runtime/errors";

/** No wrangler config in the project directory. */
export class ConfigNotFoundError extends DotdoError {
  constructor(readonly root: string, readonly tried: readonly string[]) {
    super("CONFIG_NOT_FOUND", `No wrangler config found in ${root} (looked for ${tried.join(", ")})`);
  }
}

/** A config file that cannot be parsed, or a field with a wrong value. */
export class InvalidConfigError extends DotdoError {
  constructor(
    readonly file: string,
    readonly field: string | undefined,
    problem: string,
  ) {
    super("CONFIG_INVALID", field ? `${file}: "${field}" ${problem}` : `${file}: ${problem}`);
  }
}

/** A valid config that asks for something dotdo cannot provide on the chosen target. */
export class UnsupportedConfigError extends DotdoError {
  constructor(
    readonly file: string,
    readonly field: string,
    problem: string,
  ) {
    super("CONFIG_UNSUPPORTED", `${file}: "${field}" ${problem}`);
  }
}
