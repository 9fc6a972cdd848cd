import { defineBuildConfig } from "unbuild";

// Every public entry point is listed here and in package.json "exports". The runtime modules
// that the build plugin wires into bundles (worker, platform entries) are entries too, so the
// plugin finds them at dist/runtime/<name>.mjs.
export default defineBuildConfig({
  entries: [
    "src/runtime/index",
    "src/runtime/worker",
    "src/runtime/globals",
    "src/runtime/cloudflare/ai",
    "src/runtime/cloudflare/br",
    "src/runtime/cloudflare/email",
    "src/runtime/cloudflare/node",
    "src/runtime/cloudflare/pipelines",
    "src/runtime/cloudflare/sockets",
    "src/runtime/cloudflare/sockets-unavailable",
    "src/runtime/cloudflare/vectorize",
    "src/runtime/cloudflare/workflows",
    "src/runtime/platform/node",
    "src/runtime/platform/asset-files",
    "src/runtime/platform/server-cluster",
    "src/runtime/platform/bun",
    "src/runtime/platform/deno",
    "src/runtime/platform/handler",
    "src/runtime/platform/fetch-store",
    "src/runtime/storage/index",
    "src/runtime/persistence/index",
    "src/runtime/auth/index",
    "src/cli/index",
    "src/plugin/index",
    "src/plugin/vite",
    "src/plugin/rollup",
    "src/plugin/esbuild",
    "src/plugin/config/index",
    "src/presets/index",
    "src/nitro/index",
    "src/nitro/runtime/server",
    "src/nitro/runtime/edge",
  ],
  declaration: "node16",
  clean: true,
  // Types from node_modules stay imports: inlining them would pull in every bundler's types
  // that unplugin's declarations mention.
  rollup: { emitCJS: false, dts: { respectExternal: false } },
  // Bundlers the plugin is used with are the user's, not ours; the Nitro runtime plugins'
  // virtual module is served by the Nitro build that bundles them.
  externals: ["cloudflare:workers", "vite", "rollup", "esbuild", "nitropack", "h3", "virtual:dotdo/nitro-objects"],
});
