import { DotdoError, errorWithCode } from "../runtime/errors";

/** A preset name that is not in the registry. */
export class UnknownPresetError extends DotdoError {
  constructor(readonly preset: string, readonly valid: readonly string[]) {
    super("UNKNOWN_PRESET", `Unknown preset "${preset}". Valid presets: ${valid.join(", ")}`);
  }
}

/** A build that cannot proceed; the message says why and what to do. */
export class BuildError extends errorWithCode("BUILD_FAILED") {}

/** A deploy the preset cannot make from this build, e.g. Vercel's output moved elsewhere. */
export class DeployConfigError extends errorWithCode("DEPLOY_CONFIG_INVALID") {}

/** An output directory that holds something other than an earlier dotdo build. */
export class OutputDirNotEmptyError extends DotdoError {
  constructor(readonly outDir: string) {
    super("OUTPUT_DIR_NOT_EMPTY", `${outDir} is not empty and holds no dotdo.json from an earlier build; refusing to overwrite it. Choose another --outDir or remove it yourself`);
  }
}
