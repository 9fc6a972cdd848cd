import { resolve } from "pathe";
import { DENO_PERMISSIONS } from "../../src/presets/deno/templates/deno-json";
import { describeServerPreset } from "./harness/server-preset";

const deno = resolve(import.meta.dirname, "../../node_modules/.bin/deno");

describeServerPreset({ preset: "deno", command: (entry) => ({ command: deno, args: ["run", ...DENO_PERMISSIONS, entry] }) });
