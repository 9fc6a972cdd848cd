import type { PresetContext } from "../../define";
import { migrationsWithSqliteClasses } from "./migrations";

/** Binding through which the Worker can export object state as Iceberg tables to R2. */
export const ICEBERG_BUCKET_BINDING = "DOTDO_ICEBERG";

/** The deployable wrangler config: the bundle as-is, every DO binding, the full migration history. */
export function wranglerJson({ project, preset, compatibilityDate }: PresetContext): object {
  const r2Buckets = project.r2Buckets.map((b) => (b.bucketName === undefined ? { binding: b.binding } : { binding: b.binding, bucket_name: b.bucketName }));
  if (!r2Buckets.some((b) => b.binding === ICEBERG_BUCKET_BINDING)) {
    r2Buckets.push({ binding: ICEBERG_BUCKET_BINDING, bucket_name: `${project.name}-iceberg` });
  }
  return {
    name: project.name,
    main: `${preset.serverDir}/index.mjs`,
    compatibility_date: compatibilityDate,
    ...(project.compatibilityFlags.length > 0 ? { compatibility_flags: project.compatibilityFlags } : {}),
    // Already bundled by dotdo: upload the module unchanged.
    no_bundle: true,
    durable_objects: {
      bindings: project.durableObjects.map((b) => ({ name: b.name, class_name: b.className, ...(b.scriptName ? { script_name: b.scriptName } : {}) })),
    },
    migrations: migrationsWithSqliteClasses(project),
    vars: project.vars,
    r2_buckets: r2Buckets,
  };
}
