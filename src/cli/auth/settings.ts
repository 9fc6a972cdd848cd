import { join } from "node:path";
import { ConfigFileError, ConfigKeyError } from "./errors";
import { readJsonObject, removeFile, userConfigDir, writeJsonPrivately } from "./secure-file";

type Env = Record<string, string | undefined>;

interface SettingSpec {
  /** Environment variable that overrides the file. */
  env?: string;
  /** Masked whenever it is shown. */
  secret?: boolean;
  /** Checks a value before it is stored; returns the value to store. */
  parse?: (value: string) => string;
}

const httpUrl = (key: string) => (value: string) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigKeyError(`${key} must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigKeyError(`${key} must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
  return value;
};

/** Every key `dotdo config` knows, with the environment variable that overrides it. */
export const SETTINGS = {
  "storage.endpoint": { env: "R2_ENDPOINT", parse: httpUrl("storage.endpoint") },
  "storage.bucket": { env: "R2_BUCKET" },
  "storage.accessKeyId": { env: "R2_ACCESS_KEY_ID" },
  "storage.secretAccessKey": { env: "R2_SECRET_ACCESS_KEY", secret: true },
  "iceberg.catalog": { env: "ICEBERG_CATALOG" },
  "iceberg.warehouse": { env: "ICEBERG_WAREHOUSE" },
  "auth.domain": { env: "WORKOS_AUTH_DOMAIN" },
  "auth.clientId": { env: "WORKOS_CLIENT_ID" },
  "auth.audience": {},
} as const satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof SETTINGS;

export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

export interface ResolvedSetting {
  key: SettingKey;
  value: string | undefined;
  /** Where the value came from: the environment variable's name, `file`, or `unset`. */
  source: string;
  secret: boolean;
}

const configFilePath = (env: Env = process.env) => join(userConfigDir(env), "config.json");

function assertSettingKey(key: string): asserts key is SettingKey {
  if (!Object.hasOwn(SETTINGS, key)) {
    throw new ConfigKeyError(`unknown config key ${JSON.stringify(key)}; valid keys: ${SETTING_KEYS.join(", ")}`);
  }
}

/** One key's effective value: its environment variable wins over the config file. */
export async function resolveSetting(key: string, env: Env = process.env): Promise<ResolvedSetting> {
  assertSettingKey(key);
  return resolveFrom(key, await readSettingsFile(env), env);
}

export async function resolveAllSettings(env: Env = process.env): Promise<ResolvedSetting[]> {
  const file = await readSettingsFile(env);
  return SETTING_KEYS.map((key) => resolveFrom(key, file, env));
}

export async function setSetting(key: string, value: string, env: Env = process.env): Promise<void> {
  assertSettingKey(key);
  const spec: SettingSpec = SETTINGS[key];
  const stored = spec.parse ? spec.parse(value) : value;
  if (stored === "") throw new ConfigKeyError(`${key} cannot be empty; use \`dotdo config unset ${key}\``);
  const file = await readSettingsFile(env);
  await writeJsonPrivately(configFilePath(env), { ...file, [key]: stored });
}

/** Returns whether the key was set in the file. */
export async function unsetSetting(key: string, env: Env = process.env): Promise<boolean> {
  assertSettingKey(key);
  const file = await readSettingsFile(env);
  if (!(key in file)) return false;
  const { [key]: _removed, ...rest } = file;
  if (Object.keys(rest).length === 0) await removeFile(configFilePath(env));
  else await writeJsonPrivately(configFilePath(env), rest);
  return true;
}

/**
 * The effective settings as the environment variables they stand for (`R2_ENDPOINT`, …), for
 * code that reads its configuration from an environment.
 */
export async function settingsAsEnv(env: Env = process.env): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const setting of await resolveAllSettings(env)) {
    const name = (SETTINGS[setting.key] as SettingSpec).env;
    if (name !== undefined && setting.value !== undefined) result[name] = setting.value;
  }
  return result;
}

/** A secret shown so that its owner can recognise it and nobody can use it. */
function maskSecret(value: string): string {
  return value.length >= 12 ? `${value.slice(0, 4)}${"*".repeat(8)}` : "*".repeat(8);
}

/** How a setting should be shown to a person: secrets masked, and credentials inside URLs. */
export function displayValue(setting: ResolvedSetting): string | undefined {
  if (setting.value === undefined) return undefined;
  return setting.secret ? maskSecret(setting.value) : maskUrlCredentials(setting.value);
}

/** `https://user:secret@host/…` as `https://****:****@host/…`; anything else as it is. */
export function maskUrlCredentials(value: string): string {
  if (!URL.canParse(value)) return value;
  const url = new URL(value);
  if (url.username === "" && url.password === "") return value;
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, "$1****:****@");
}

async function readSettingsFile(env: Env): Promise<Partial<Record<SettingKey, string>>> {
  const path = configFilePath(env);
  const file = (await readJsonObject(path)) ?? {};
  for (const [key, value] of Object.entries(file)) {
    if (!Object.hasOwn(SETTINGS, key)) {
      throw new ConfigFileError(path, `has unknown key ${JSON.stringify(key)}; valid keys: ${SETTING_KEYS.join(", ")}`);
    }
    if (typeof value !== "string") throw new ConfigFileError(path, `value of ${key} must be a string`);
  }
  return file as Partial<Record<SettingKey, string>>;
}

function resolveFrom(key: SettingKey, file: Partial<Record<SettingKey, string>>, env: Env): ResolvedSetting {
  const spec: SettingSpec = SETTINGS[key];
  const secret = spec.secret === true;
  const fromEnv = spec.env === undefined ? undefined : env[spec.env];
  if (fromEnv !== undefined && fromEnv !== "") return { key, value: fromEnv, source: spec.env as string, secret };
  const fromFile = file[key];
  if (fromFile !== undefined) return { key, value: fromFile, source: "file", secret };
  return { key, value: undefined, source: "unset", secret };
}
