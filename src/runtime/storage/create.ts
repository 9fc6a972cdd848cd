import { singleInstanceFromEnv, storeConfigFromEnv, type StorageEnv, type StoreConfig } from "./config";
import { createGatewayStore } from "./gateway";
import { guardPreconditions } from "./guard";
import { createMemoryStore } from "./memory";
import { withPrefix } from "./prefix";
import { createR2Store } from "./r2";
import type { ObjectStore } from "./types";

export interface CreateStoreOptions {
  /** Skip the conditional-write check (see `guardPreconditions`). From env: `DOTDO_SINGLE_INSTANCE`. */
  singleInstance?: boolean;
}

/**
 * The store a config (or an environment, read by `storeConfigFromEnv`) describes, checked
 * before its first write that it enforces conditional writes. The file and S3 backends are
 * loaded on demand, so edge bundles that use memory or R2 never pull in `node:` modules.
 */
export async function createStore(
  source: StoreConfig | StorageEnv,
  options: CreateStoreOptions = {},
): Promise<ObjectStore> {
  const fromEnv = !isStoreConfig(source);
  const config = fromEnv ? storeConfigFromEnv(source) : source;
  const singleInstance = options.singleInstance ?? (fromEnv && singleInstanceFromEnv(source));
  // The gateway checks its own backend, and a probe key would fall outside the token's scope.
  if (config.kind === "gateway") return createGatewayStore(config);
  return guardPreconditions(await open(config), { singleInstance });
}

async function open(config: Exclude<StoreConfig, { kind: "gateway" }>): Promise<ObjectStore> {
  switch (config.kind) {
    case "memory":
      return createMemoryStore(config.name);
    case "file": {
      const { createFileStore } = await import("./file");
      return createFileStore(config);
    }
    case "s3": {
      const { createS3Store } = await import("./s3");
      return withPrefix(createS3Store(config), config.prefix ?? "");
    }
    case "r2":
      return withPrefix(createR2Store(config.bucket, config.name), config.prefix ?? "");
  }
}

function isStoreConfig(source: StoreConfig | StorageEnv): source is StoreConfig {
  return ["memory", "file", "s3", "r2", "gateway"].includes(source.kind as string);
}
