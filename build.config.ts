import { defineBuildConfig } from "unbuild";

// Every public entry point is listed here and in package.json "exports". The runtime modules
// that the build plugin wires into bundles (worker, platform entries) are entries too, so the
// plugin finds them at dist/runtime/<name>.mjs.
export default defineBuildConfig({
  entries: [
    "src/runtime/index",
    "src/runtime/worker",
    "src/runtime/platform/node",
    "src/cli/index",
    "src/plugin/index",
    "src/plugin/vite",
    "src/plugin/rollup",
    "src/plugin/esbuild",
    "src/plugin/webpack",
    "src/plugin/config/index",
    "src/presets/index",
  ],
  declaration: "node16",
  clean: true,
  rollup: { emitCJS: false },
  externals: ["cloudflare:workers"],
});
