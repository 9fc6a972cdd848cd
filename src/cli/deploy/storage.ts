import { currentAccessToken } from "../auth/session";
import { settingsAsEnv } from "../auth/settings";
import { StorageSettingsMissingError } from "./errors";

type Env = Record<string, string | undefined>;

/** The `dotdo config` keys of S3-compatible storage, with the variables that override them. */
const S3_SETTINGS = [
  ["storage.endpoint", "R2_ENDPOINT"],
  ["storage.accessKeyId", "R2_ACCESS_KEY_ID"],
  ["storage.secretAccessKey", "R2_SECRET_ACCESS_KEY"],
] as const;

export type StorageSource = "s3" | "gateway";

/**
 * Where a deployed app will keep its objects: S3 credentials from `dotdo config` or the
 * environment, or else a storage gateway with the dotdo token (`dotdo login`) as its bearer.
 * Throws what is missing: StorageSettingsMissingError, or NotLoggedInError for the gateway.
 */
export async function assertDeployStorage(env: Env): Promise<StorageSource> {
  const effective = { ...env, ...(await settingsAsEnv(env)) };
  const missing = S3_SETTINGS.filter(([, name]) => !effective[name]);
  if (missing.length === 0) return "s3";
  if (effective.DOTDO_GATEWAY_URL) {
    await currentAccessToken(env);
    return "gateway";
  }
  throw new StorageSettingsMissingError(missing.map(([key, name]) => `${key} (${name})`));
}
