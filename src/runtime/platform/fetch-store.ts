import { singleInstanceFromEnv, storeConfigFromEnv, type StorageEnv } from "../storage/config";
import { StorageConfigError } from "../storage/errors";
import { createGatewayStore } from "../storage/gateway";
import { guardPreconditions } from "../storage/guard";
import { createMemoryStore } from "../storage/memory";
import { withPrefix } from "../storage/prefix";
import type { ObjectStore } from "../storage/types";

/**
 * The store the environment names, among the backends that need nothing but `fetch`: the
 * storage gateway, S3 (the AWS SDK's browser build, loaded only when chosen) and `memory:`.
 * `createStore` is not used here because it can load the file backend: an edge bundle must
 * not contain it at all, so this is the one place that repeats its small switch.
 */
export async function createFetchStore(env: StorageEnv): Promise<ObjectStore> {
  const config = storeConfigFromEnv(env);
  switch (config.kind) {
    case "gateway":
      // The gateway checks its own backend's conditional writes.
      return createGatewayStore(config);
    case "memory":
      return createMemoryStore(config.name);
    case "s3": {
      const { createS3Store } = await import("../storage/s3");
      return guardPreconditions(withPrefix(createS3Store(config), config.prefix ?? ""), { singleInstance: singleInstanceFromEnv(env) });
    }
    case "file":
      throw new StorageConfigError(
        `This platform has no lasting disk, so the folder "${config.root}" cannot hold state: set DOTDO_STORAGE to s3://bucket/prefix ` +
          `(with R2_ENDPOINT, R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY) or to a storage gateway's https:// URL (with JWT_TOKEN)`,
      );
    case "r2":
      throw new StorageConfigError("An R2 binding is a Cloudflare Workers binding: use s3:// with R2's S3 endpoint here");
  }
}
