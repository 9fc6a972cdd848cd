import { join } from "node:path";
import { ConfigFileError } from "./errors";
import { readJsonObject, removeFile, userConfigDir, writeJsonPrivately } from "./secure-file";

type Env = Record<string, string | undefined>;

/** What `dotdo login` keeps between runs (file `auth.json`, owner-only). */
export interface Session {
  issuer: string;
  clientId: string;
  /** The `resource` the tokens were issued for, reused on refresh. */
  resource?: string;
  accessToken: string;
  refreshToken?: string;
  /** Epoch milliseconds; absent when the issuer did not say. */
  expiresAt?: number;
}

export const sessionPath = (env: Env = process.env) => join(userConfigDir(env), "auth.json");

export async function loadSession(env: Env = process.env): Promise<Session | undefined> {
  const path = sessionPath(env);
  const value = await readJsonObject(path);
  if (value === undefined) return undefined;
  const valid =
    typeof value.issuer === "string" &&
    typeof value.clientId === "string" &&
    typeof value.accessToken === "string" &&
    ["string", "undefined"].includes(typeof value.refreshToken) &&
    ["string", "undefined"].includes(typeof value.resource) &&
    ["number", "undefined"].includes(typeof value.expiresAt);
  if (!valid) throw new ConfigFileError(path, "is not a dotdo session; run `dotdo logout` then `dotdo login`");
  return value as unknown as Session;
}

export const saveSession = (session: Session, env: Env = process.env) => writeJsonPrivately(sessionPath(env), session);

export const deleteSession = (env: Env = process.env) => removeFile(sessionPath(env));
