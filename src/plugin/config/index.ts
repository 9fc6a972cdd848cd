export { DotdoError } from "../../runtime/errors";
export { ConfigNotFoundError, InvalidConfigError, UnsupportedConfigError } from "./errors";
export { loadDotdoConfig, loadProject, type LoadProjectOptions } from "./load";
export { WRANGLER_FILES } from "./parse";
export { assertRunnableOffCloudflare } from "./support";
export type { AssetsConfig, CloudflareOnlyBinding, CustomBuild, HtmlHandling, NotFoundHandling, DotdoConfig, DurableObjectBinding, MigrationStep, ModuleRule, ModuleRuleType, R2BucketBinding, VarValue, WorkerProject } from "./types";

/** Types a `dotdo.config.ts`: `export default defineConfig({ preset: "node" })`. */
export function defineConfig(config: import("./types").DotdoConfig): import("./types").DotdoConfig {
  return config;
}
