import type { MiniflareOptions } from "miniflare";
import { join } from "pathe";
import type { BuiltOutput } from "./outputs";

interface GeneratedWrangler {
  main: string;
  compatibility_date: string;
  compatibility_flags?: string[];
  vars?: Record<string, string>;
  durable_objects: { bindings: { name: string; class_name: string }[] };
  migrations: { new_sqlite_classes?: string[] }[];
  assets?: { directory: string };
}

/**
 * A cloudflare build's wrangler.json as miniflare options, read the way wrangler's dev server
 * hands it to workerd: the module, compatibility, vars, Durable Objects (SQLite-backed as the
 * migrations say) and the assets directory. Tests add or override what they need.
 */
export function workerdOptions(output: BuiltOutput): MiniflareOptions {
  const wrangler = JSON.parse(output.read("wrangler.json")) as GeneratedWrangler;
  const sqliteClasses = new Set(wrangler.migrations.flatMap((step) => step.new_sqlite_classes ?? []));
  return {
    modules: true,
    scriptPath: join(output.copy, wrangler.main),
    modulesRoot: output.copy,
    compatibilityDate: wrangler.compatibility_date,
    compatibilityFlags: wrangler.compatibility_flags ?? [],
    bindings: wrangler.vars ?? {},
    durableObjects: Object.fromEntries(wrangler.durable_objects.bindings.map((b) => [b.name, { className: b.class_name, useSQLite: sqliteClasses.has(b.class_name) }])),
    ...(wrangler.assets && { assets: { directory: join(output.copy, wrangler.assets.directory) } }),
  };
}
