import { build } from "esbuild";

/** A Worker's module as miniflare runs it in workerd: one ES module, `cloudflare:*` left to workerd. */
export async function bundleForWorkerd(entry) {
  const bundle = await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    external: ["cloudflare:*"],
    write: false,
    logLevel: "silent",
  });
  return bundle.outputFiles[0].text;
}
