import { defineCommand } from "citty";
import { consola } from "consola";
import { relative } from "pathe";
import { buildProject } from "../../presets/build/index";
import { presetNames } from "../../presets/registry";
import { printData } from "../output";
import { delayedProgress, PROGRESS_AFTER_MS } from "../progress";

export default defineCommand({
  meta: { name: "build", description: "Build the Worker project in --root for one preset" },
  args: {
    preset: { type: "string", description: `Target: ${presetNames().join(", ")}` },
    root: { type: "string", description: "Project directory holding the wrangler config", default: "." },
    outDir: { type: "string", description: "Output directory (default: .output, or .vercel/output for Vercel)" },
    json: { type: "boolean", description: "Print the result as JSON: the manifest, the output directory, files and warnings" },
  },
  async run({ args }) {
    const progress = args.json ? undefined : delayedProgress(PROGRESS_AFTER_MS);
    const result = await buildProject({
      root: args.root,
      ...(args.preset === undefined ? {} : { preset: args.preset }),
      ...(args.outDir === undefined ? {} : { outDir: args.outDir }),
      ...(progress ? { onProgress: progress.step } : {}),
    }).finally(() => progress?.done());
    const { manifest } = result;
    if (args.json) {
      printData(JSON.stringify({ project: result.project.name, ...manifest, outDir: result.outDir, files: result.files, warnings: result.warnings }, null, 2));
      return;
    }
    consola.success(`Built ${result.project.name} for ${manifest.preset} in ${relative(process.cwd(), result.outDir) || "."}`);
    for (const file of result.files) consola.log(`  ${file}`);
    for (const warning of result.warnings) consola.warn(warning);
    if (manifest.commands.preview) consola.info(`Preview: ${manifest.commands.preview}  (or: npx dotdo preview)`);
    if (manifest.commands.deploy) consola.info(`Deploy:  ${manifest.commands.deploy}  (or: npx dotdo deploy --preset=${manifest.preset}, which checks the CLI and storage first)`);
  },
});
