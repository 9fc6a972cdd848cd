import { defineCommand } from "citty";
import { PRESETS } from "../../presets/registry";

export default defineCommand({
  meta: { name: "presets", description: "List the build targets" },
  run() {
    const width = Math.max(...PRESETS.map((preset) => preset.name.length));
    // Plain lines on stdout, so the list can be piped and parsed.
    for (const preset of PRESETS) console.log(`${preset.name.padEnd(width)}  ${preset.description}`);
  },
});
