import { defineCommand } from "citty";
import { PRESETS, resolvePreset } from "../../presets/registry";
import { printData } from "../output";

export default defineCommand({
  meta: { name: "presets", description: "List the build targets" },
  args: { json: { type: "boolean", description: "Print each preset's name, description, runtime, output directory and deploy needs as JSON" } },
  run({ args }) {
    if (args.json) {
      printData(JSON.stringify(PRESETS.map((preset) => describe(preset.name)), null, 2));
      return;
    }
    const width = Math.max(...PRESETS.map((preset) => preset.name.length));
    for (const preset of PRESETS) printData(`${preset.name.padEnd(width)}  ${preset.description}`);
  },
});

function describe(name: string) {
  const preset = resolvePreset(name);
  return {
    name,
    description: preset.description,
    extends: preset.chain[1] ?? null,
    runtime: preset.runtime,
    outDir: preset.outDir,
    // null when there is no platform to deploy to (the output is run by hand).
    deploy: preset.deploy ? { storage: preset.deploy.storage ?? null, settings: (preset.deploy.settings ?? []).map((setting) => setting.env) } : null,
  };
}
