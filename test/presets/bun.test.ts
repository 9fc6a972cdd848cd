import { resolve } from "pathe";
import { BUN_FLAGS } from "../../src/presets/bun/preset";
import { describeServerPreset } from "./harness/server-preset";

const bun = resolve(import.meta.dirname, "../../node_modules/.bin/bun");

// Run as the preset's preview command runs it.
describeServerPreset({ preset: "bun", command: (entry) => ({ command: bun, args: [...BUN_FLAGS, entry] }) });
