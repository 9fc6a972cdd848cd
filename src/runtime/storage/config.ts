import { isSecureEndpoint } from "../secure-url";
import { StorageConfigError } from "./errors";
import type { GatewayStoreOptions } from "./gateway";
import type { R2BucketLike } from "./r2";
import type { S3StoreOptions } from "./s3";
import { S3_PROVIDERS, type S3Provider } from "./s3-provider";

/** Which backend to build, and how; `createStore` turns it into a store. */
export type StoreConfig =
  | { kind: "memory"; name?: string }
  | { kind: "file"; root: string; staleLockMs?: number }
  | ({ kind: "s3"; prefix?: string } & S3StoreOptions)
  | { kind: "r2"; bucket: R2BucketLike; name?: string; prefix?: string }
  | ({ kind: "gateway" } & GatewayStoreOptions);

/** Environment variables (or a Worker's `env`); non-string values are ignored. */
export type StorageEnv = Readonly<Record<string, unknown>>;

/** The folder used when nothing is configured, under the working directory. */
export const DEFAULT_FILE_ROOT = ".dotdo";

/**
 * Reads the store's configuration from the environment:
 * - `DOTDO_STORAGE`: `file:/abs/path`, `file:///abs/path`, a plain path, `s3://bucket/prefix`,
 *   `memory:`, or the `https://` URL of a dotdo storage gateway; unset means `R2_BUCKET` if
 *   that is set, else a gateway if `JWT_TOKEN` is set, else the folder `.dotdo`.
 * - Gateway: `JWT_TOKEN` is the bearer token; its URL is `DOTDO_STORAGE` or `DOTDO_GATEWAY_URL`.
 * - S3: `R2_ENDPOINT` / `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`; `R2_ACCESS_KEY_ID` +
 *   `R2_SECRET_ACCESS_KEY` or `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY`
 *   (+ `AWS_SESSION_TOKEN`), else the SDK's default chain; `AWS_REGION` (default `auto`);
 *   `DOTDO_S3_PROVIDER`; `DOTDO_S3_FORCE_PATH_STYLE`.
 */
export function storeConfigFromEnv(env: StorageEnv): StoreConfig {
  const storage = text(env, "DOTDO_STORAGE");
  if (storage === undefined) {
    const bucket = text(env, "R2_BUCKET");
    if (bucket === undefined) {
      if (text(env, "JWT_TOKEN") === undefined) return { kind: "file", root: DEFAULT_FILE_ROOT };
      const url = text(env, "DOTDO_GATEWAY_URL");
      if (url === undefined) {
        throw new StorageConfigError(
          "JWT_TOKEN is set but no storage gateway is named: set DOTDO_GATEWAY_URL (or DOTDO_STORAGE) to its https:// URL",
        );
      }
      return gatewayConfig(env, url);
    }
    if (text(env, "R2_ENDPOINT") === undefined) {
      throw new StorageConfigError("R2_BUCKET is set but R2_ENDPOINT is not: R2 needs its account endpoint");
    }
    return s3Config(env, bucket, undefined);
  }
  if (storage === "memory:") return { kind: "memory" };
  if (storage.startsWith("s3://")) {
    const [bucket = "", ...rest] = storage.slice("s3://".length).split("/");
    if (bucket === "") throw new StorageConfigError(`DOTDO_STORAGE=${storage} names no bucket (s3://bucket/prefix)`);
    return s3Config(env, bucket, rest.join("/") || undefined);
  }
  if (storage.startsWith("file:")) return { kind: "file", root: filePath(storage) };
  if (/^https?:\/\//.test(storage)) return gatewayConfig(env, storage);
  // A scheme of two or more letters (one letter is a Windows drive).
  if (/^[a-z][a-z0-9+.-]+:/i.test(storage)) {
    throw new StorageConfigError(
      `DOTDO_STORAGE=${storage}: unknown scheme (use file:/path, a plain path, s3://bucket/prefix, memory: or a gateway's https:// URL)`,
    );
  }
  return { kind: "file", root: storage };
}

/** True when the environment opts into single-instance mode (`DOTDO_SINGLE_INSTANCE=1`). */
export function singleInstanceFromEnv(env: StorageEnv): boolean {
  const value = text(env, "DOTDO_SINGLE_INSTANCE")?.toLowerCase();
  return value === "1" || value === "true" || value === "yes";
}

function s3Config(env: StorageEnv, bucket: string, prefix: string | undefined): StoreConfig {
  const endpoint = text(env, "R2_ENDPOINT") ?? text(env, "AWS_ENDPOINT_URL_S3") ?? text(env, "AWS_ENDPOINT_URL");
  const provider = text(env, "DOTDO_S3_PROVIDER");
  if (provider !== undefined && !S3_PROVIDERS.includes(provider as S3Provider)) {
    throw new StorageConfigError(`DOTDO_S3_PROVIDER=${provider}: expected one of ${S3_PROVIDERS.join(", ")}`);
  }
  const pathStyle = text(env, "DOTDO_S3_FORCE_PATH_STYLE");
  return {
    kind: "s3",
    bucket,
    prefix,
    endpoint: endpoint && (/^https?:\/\//.test(endpoint) ? endpoint : `https://${endpoint}`),
    region: text(env, "AWS_REGION") ?? text(env, "AWS_DEFAULT_REGION") ?? "auto",
    forcePathStyle: pathStyle === undefined ? undefined : pathStyle === "1" || pathStyle === "true",
    credentials: credentials(env),
    provider: provider as S3Provider | undefined,
  };
}

function gatewayConfig(env: StorageEnv, url: string): StoreConfig {
  const token = text(env, "JWT_TOKEN");
  if (token === undefined) {
    throw new StorageConfigError(`The storage gateway ${url} needs a token: set JWT_TOKEN (dotdo token prints one)`);
  }
  if (!URL.canParse(url) || !isSecureEndpoint(new URL(url))) {
    throw new StorageConfigError(`The storage gateway URL ${url} must use https (plain http is allowed on loopback only)`);
  }
  return { kind: "gateway", url, token };
}

function credentials(env: StorageEnv): S3StoreOptions["credentials"] {
  const r2Id = text(env, "R2_ACCESS_KEY_ID");
  const r2Secret = text(env, "R2_SECRET_ACCESS_KEY");
  if (r2Id !== undefined || r2Secret !== undefined) {
    if (r2Id === undefined || r2Secret === undefined) {
      throw new StorageConfigError("Set both R2_ACCESS_KEY_ID and R2_SECRET_ACCESS_KEY, or neither");
    }
    return { accessKeyId: r2Id, secretAccessKey: r2Secret };
  }
  const id = text(env, "AWS_ACCESS_KEY_ID");
  const secret = text(env, "AWS_SECRET_ACCESS_KEY");
  if (id === undefined || secret === undefined) return undefined;
  const sessionToken = text(env, "AWS_SESSION_TOKEN");
  return sessionToken === undefined
    ? { accessKeyId: id, secretAccessKey: secret }
    : { accessKeyId: id, secretAccessKey: secret, sessionToken };
}

/** `file:///abs`, `file:/abs` or `file:relative` → a path; URL escapes are decoded. */
function filePath(value: string): string {
  const rest = value.slice("file:".length);
  const path = rest.startsWith("//") ? new URL(value).pathname : rest;
  if (path === "") throw new StorageConfigError(`DOTDO_STORAGE=${value} names no folder`);
  return decodeURIComponent(path);
}

function text(env: StorageEnv, name: string): string | undefined {
  const value = env[name];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}
