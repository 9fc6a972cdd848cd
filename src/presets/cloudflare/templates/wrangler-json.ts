import type { PresetContext } from "../../define";
import { assetsOutputDir } from "../../build/assets";
import { migrationsWithSqliteClasses } from "./migrations";

/** Binding through which the Worker can export object state as Iceberg tables to R2. */
export const ICEBERG_BUCKET_BINDING = "DOTDO_ICEBERG";

/** Settings about finding and bundling modules: dotdo has bundled already, so they do not apply. */
const BUNDLING_KEYS = ["main", "build", "rules", "find_additional_modules", "base_dir", "preserve_file_names", "tsconfig", "minify", "alias", "define", "no_bundle", "node_compat"];

/**
 * The deployable wrangler config: the user's own config (KV, D1, queues, triggers, routes… kept
 * as written) with dotdo's bundle as `main`, every DO binding, the full migration history (or
 * the `exports` that replace it).
 */
export function wranglerJson({ project, preset, compatibilityDate }: PresetContext): object {
  // The build copies the assets into the output: wrangler resolves the directory against this file.
  const assets = project.assets ? { assets: { ...(project.wrangler.assets as object), directory: assetsOutputDir(preset) } } : {};
  const r2Buckets = project.r2Buckets.map((b) => (b.bucketName === undefined ? { binding: b.binding } : { binding: b.binding, bucket_name: b.bucketName }));
  if (!r2Buckets.some((b) => b.binding === ICEBERG_BUCKET_BINDING)) {
    r2Buckets.push({ binding: ICEBERG_BUCKET_BINDING, bucket_name: `${project.name}-iceberg` });
  }
  return {
    ...withoutBundlingKeys(project.wrangler),
    name: project.name,
    main: `${preset.serverDir}/index.mjs`,
    compatibility_date: compatibilityDate,
    ...(project.compatibilityFlags.length > 0 ? { compatibility_flags: project.compatibilityFlags } : {}),
    // Already bundled by dotdo: upload the module unchanged, with the chunks it imports (code
    // split from dynamic imports): wrangler's default rules attach no JavaScript besides `main`.
    no_bundle: true,
    find_additional_modules: true,
    rules: [{ type: "ESModule", globs: ["**/*.mjs"] }],
    durable_objects: {
      bindings: project.durableObjects.map((b) => ({ name: b.name, class_name: b.className, ...(b.scriptName ? { script_name: b.scriptName } : {}) })),
    },
    // wrangler refuses `migrations` beside Durable Objects declared in `exports`, kept as written.
    ...(project.exportedDurableObjects.length > 0 ? {} : { migrations: migrationsWithSqliteClasses(project) }),
    vars: project.vars,
    r2_buckets: r2Buckets,
    ...assets,
  };
}

function withoutBundlingKeys(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([key]) => !BUNDLING_KEYS.includes(key)));
}
