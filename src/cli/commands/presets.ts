import { defineCommand } from "citty";
import { PRESETS } from "../../presets/registry";
import { printData } from "../output";

export default defineCommand({
  meta: { name: "presets", description: "List the build targets" },
  run() {
    const width = Math.max(...PRESETS.map((preset) => preset.name.length));
    for (const preset of PRESETS) printData(`${preset.name.padEnd(width)}  ${preset.description}`);
  },
});
