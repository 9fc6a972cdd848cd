import { resolve } from "pathe";
import { describeServerPreset } from "./harness/server-preset";

const bun = resolve(import.meta.dirname, "../../node_modules/.bin/bun");

describeServerPreset({ preset: "bun", command: (entry) => ({ command: bun, args: [entry] }) });
