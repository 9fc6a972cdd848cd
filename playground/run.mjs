// `npm run playground -- --preset=<node|bun|deno|cloudflare>`: builds the playground for one
// local target with dotdo (`dotdo build`) and runs the output with that target's own runtime
// (`dotdo preview`: node, bun, deno, or workerd through `wrangler dev`).
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const TARGETS = ["node", "bun", "deno", "cloudflare"];
const CLI = fileURLToPath(new URL("../bin/dotdo.mjs", import.meta.url));
const ROOT = fileURLToPath(new URL(".", import.meta.url));

const fail = (message) => {
  console.error(`playground: ${message}`);
  process.exit(1);
};

let options;
try {
  options = parseArgs({ options: { preset: { type: "string", default: "node" }, outDir: { type: "string" } } }).values;
} catch (error) {
  fail(`${error.message}. Usage: npm run playground -- --preset=<${TARGETS.join("|")}> [--outDir DIR]`);
}
if (!TARGETS.includes(options.preset)) fail(`--preset must be one of ${TARGETS.join(", ")}; got "${options.preset}"`);
const outDir = options.outDir ? ["--outDir", options.outDir] : [];

const build = spawnSync(process.execPath, [CLI, "build", `--preset=${options.preset}`, "--root", ROOT, ...outDir], { stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

const preview = spawn(process.execPath, [CLI, "preview", "--root", ROOT, ...outDir], { stdio: "inherit" });
// Ctrl-C reaches the whole foreground group, preview included, which stops the server (after
// its final checkpoint); a SIGTERM sent to this process alone is passed on.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => preview.kill("SIGTERM"));
preview.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
