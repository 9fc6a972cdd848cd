import { defineCommand } from "citty";
import { consola } from "consola";
import { relative } from "pathe";
import { buildProject } from "../../presets/build/index";
import { presetNames } from "../../presets/registry";

export default defineCommand({
  meta: { name: "build", description: "Build the Worker project in --root for one preset" },
  args: {
    preset: { type: "string", description: `Target: ${presetNames().join(", ")}` },
    root: { type: "string", description: "Project directory holding the wrangler config", default: "." },
    outDir: { type: "string", description: "Output directory (default: .output, or .vercel/output for Vercel)" },
  },
  async run({ args }) {
    const result = await buildProject({
      root: args.root,
      ...(args.preset === undefined ? {} : { preset: args.preset }),
      ...(args.outDir === undefined ? {} : { outDir: args.outDir }),
    });
    const { manifest } = result;
    consola.success(`Built ${result.project.name} for ${manifest.preset} in ${relative(process.cwd(), result.outDir) || "."}`);
    for (const file of result.files) consola.log(`  ${file}`);
    for (const warning of result.warnings) consola.warn(warning);
    if (manifest.commands.preview) consola.info(`Preview: ${manifest.commands.preview}  (or: npx dotdo preview)`);
    if (manifest.commands.deploy) consola.info(`Deploy:  ${manifest.commands.deploy}`);
  },
});
