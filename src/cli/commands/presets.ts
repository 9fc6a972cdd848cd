import { defineCommand } from "citty";
import { consola } from "consola";
import { PRESETS } from "../../presets/registry";

export default defineCommand({
  meta: { name: "presets", description: "List the build targets" },
  run() {
    const width = Math.max(...PRESETS.map((preset) => preset.name.length));
    for (const preset of PRESETS) consola.log(`${preset.name.padEnd(width)}  ${preset.description}`);
  },
});
