import { defineBuildConfig } from "unbuild";

// Every public entry point is listed here and in package.json "exports".
export default defineBuildConfig({
  entries: ["src/runtime/index"],
  declaration: "node16",
  clean: true,
  rollup: { emitCJS: false },
  externals: ["cloudflare:workers"],
});
