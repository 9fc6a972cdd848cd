import { defineCommand } from "citty";
import { consola } from "consola";
import { printData } from "../output";
import { displayValue, resolveAllSettings, resolveSetting, setSetting, SETTING_KEYS, unsetSetting } from "../auth/settings";

const keyArg = {
  key: { type: "positional", required: true, description: `One of: ${SETTING_KEYS.join(", ")}` },
} as const;

const set = defineCommand({
  meta: { name: "set", description: "Store a value in the user config file (owner-only permissions)" },
  args: { ...keyArg, value: { type: "positional", required: true, description: "The value" } },
  async run({ args }) {
    await setSetting(args.key, args.value);
    const setting = await resolveSetting(args.key);
    consola.success(`${args.key} = ${displayValue(setting) ?? ""}`);
    if (setting.source !== "file") consola.warn(`${setting.source} is set and overrides the file`);
  },
});

const get = defineCommand({
  meta: { name: "get", description: "Print a key's effective value (secrets masked)" },
  args: keyArg,
  async run({ args }) {
    const setting = await resolveSetting(args.key);
    if (setting.value === undefined) {
      consola.info(`${args.key} is not set`);
      process.exitCode = 1;
      return;
    }
    printData(displayValue(setting) ?? "");
  },
});

const list = defineCommand({
  meta: { name: "list", description: "Show every key, its value (secrets masked) and where it comes from" },
  async run() {
    for (const setting of await resolveAllSettings()) {
      printData(`${setting.key} = ${displayValue(setting) ?? "(unset)"}${setting.value === undefined ? "" : `  [${setting.source}]`}`);
    }
  },
});

const unset = defineCommand({
  meta: { name: "unset", description: "Remove a key from the user config file" },
  args: keyArg,
  async run({ args }) {
    const removed = await unsetSetting(args.key);
    consola.info(removed ? `${args.key} removed` : `${args.key} was not set in the config file`);
  },
});

export default defineCommand({
  meta: { name: "config", description: "Read and write user settings (storage, iceberg, auth)" },
  subCommands: { set, get, list, unset },
});
