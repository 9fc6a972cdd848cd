import { join, resolve } from "pathe";
import { DENO_PERMISSIONS } from "../../../src/presets/deno/templates/deno-json";

const BIN = resolve(import.meta.dirname, "../../../node_modules/.bin");

/** How each server preset's output is started (Bun and Deno from node_modules), given its entry file. */
export const SERVER_COMMANDS = {
  node: (entry: string) => ({ command: process.execPath, args: [entry] }),
  bun: (entry: string) => ({ command: join(BIN, "bun"), args: [entry] }),
  deno: (entry: string) => ({ command: join(BIN, "deno"), args: ["run", ...DENO_PERMISSIONS, entry] }),
};

export type ServerPresetName = keyof typeof SERVER_COMMANDS;
export const SERVER_PRESET_NAMES = Object.keys(SERVER_COMMANDS) as ServerPresetName[];
