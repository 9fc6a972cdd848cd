import { build, type Plugin } from "esbuild";
import { keepOriginalFilter, keptOriginal } from "../plugin/core";
import { dotdoPackage } from "../plugin/package-paths";
import type { TargetSpec } from "../plugin/targets";

/**
 * Packages dotdo's runtime imports whose Node build cannot run on an edge runtime. Nitro
 * resolves packages by `main` alone (no `browser` field), which gives the AWS SDK's Node build:
 * on edge targets it is bundled here instead with esbuild for the browser, as dotdo's own
 * vercel-edge output bundles it.
 */
export const BROWSER_BUILDS: readonly string[] = ["@aws-sdk/client-s3"];

/** `pkg` bundled into one ES module for an edge target (`spec`). */
export async function browserBuild(pkg: string, spec: TargetSpec): Promise<string> {
  const result = await build({
    stdin: { contents: `export * from ${JSON.stringify(pkg)};`, resolveDir: dotdoPackage().root, loader: "js" },
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    conditions: spec.conditions,
    target: "es2022",
    logLevel: "silent",
    legalComments: "none",
    plugins: [keepOriginalPlugin(spec)],
  });
  return result.outputFiles[0]?.text ?? "";
}

/** The package files whose `browser` replacement the target cannot run keep their original. */
function keepOriginalPlugin(spec: TargetSpec): Plugin {
  const filter = keepOriginalFilter(spec);
  return {
    name: "dotdo:keep-original",
    setup(b) {
      if (!filter) return;
      b.onResolve({ filter }, (args) => {
        const original = keptOriginal(spec, args.path, args.importer);
        return original === undefined ? undefined : { path: original };
      });
    },
  };
}
