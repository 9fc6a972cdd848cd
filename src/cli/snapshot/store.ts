import { createStore } from "../../runtime/storage/create";
import type { ObjectStore } from "../../runtime/storage/types";
import { settingsAsEnv } from "../auth/settings";

/**
 * The application's store, configured as a deployed app configures it: the environment
 * (`DOTDO_STORAGE`, `R2_*`, `JWT_TOKEN`), then `dotdo config` settings; `storage` (the
 * `--storage` flag) replaces `DOTDO_STORAGE`.
 */
export async function openStore(storage?: string): Promise<ObjectStore> {
  const env: Record<string, string | undefined> = { ...process.env, ...(await settingsAsEnv()) };
  if (storage !== undefined) env.DOTDO_STORAGE = storage;
  return createStore(env);
}
