import { PreconditionFailedError } from "../storage/errors";
import type { ObjectStore } from "../storage/types";
import type { Permission, StorageClaims } from "./claims";
import { PathForbiddenError, PermissionDeniedError } from "./errors";
import { assertIdentifier, checkListPrefix, keySegments, prefixSegments } from "./path";

/** Where a scoped store may read and write: a tenant, or one object of a tenant. */
export interface StorageScope extends Pick<StorageClaims, "prefix" | "org" | "tenant" | "permissions" | "objects"> {
  /** When set, keys are relative to `do/{id}/`; otherwise they must start with `do/{id}/`. */
  id?: string;
}

/**
 * `{prefix}/org={org}/tenant={tenant}/`: the folder a tenant's token grants, with a trailing
 * slash. No identifier holds `=`, so the first segment with one starts the org: two different
 * claim sets can never name the same folder, nor one inside the other, whatever the depth of
 * their prefixes (with plain `{prefix}/{org}/{tenant}/`, prefix `apps` + org `prod` + tenant
 * `acme` held the folder of prefix `apps/prod` + org `acme`).
 */
export function tenantRoot(scope: Pick<StorageScope, "prefix" | "org" | "tenant">): string {
  assertIdentifier(scope.org, "org");
  assertIdentifier(scope.tenant, "tenant");
  return [...prefixSegments(scope.prefix), `org=${scope.org}`, `tenant=${scope.tenant}`, ""].join("/");
}

/**
 * Wraps `store` so that every key is mapped into the scope and nothing outside it can be
 * reached: unsafe keys throw `PathForbiddenError`, missing permissions throw
 * `PermissionDeniedError`, both before the underlying store is touched, and `list` drops
 * any key the backend returns outside the scope.
 */
export function scopeStore(store: ObjectStore, scope: StorageScope): ObjectStore {
  const tenant = tenantRoot(scope);
  const granted = new Set(scope.permissions);
  /** Refuses an object the token's `storage.objects` does not name. */
  const allowObject = (id: string, what: unknown) => {
    if (scope.objects && !scope.objects.includes(id)) {
      throw new PathForbiddenError(`${JSON.stringify(what)} is refused: the token grants objects ${scope.objects.join(", ")} only`);
    }
  };
  if (scope.id !== undefined) {
    assertIdentifier(scope.id, "object id");
    allowObject(scope.id, `do/${scope.id}/`);
  }
  const root = scope.id === undefined ? tenant : `${tenant}do/${scope.id}/`;

  const allow = (permission: Permission, operation: string) => {
    if (!granted.has(permission)) {
      throw new PermissionDeniedError(`${operation} needs the '${permission}' storage permission, which the token does not grant`);
    }
  };
  const toInner = (key: unknown) => {
    const segments = keySegments(key);
    if (scope.id === undefined) allowObject(requireObjectFolder(segments, key as string), key);
    return root + segments.join("/");
  };
  const toOuter = (key: string) => key.slice(root.length);

  return {
    url: `${store.url.replace(/\/+$/, "")}/${root}`,
    async get(key, options) {
      allow("read", "get");
      const found = await store.get(toInner(key), options);
      return found && { ...found, key: toOuter(found.key) };
    },
    async put(key, body, options) {
      allow("write", "put");
      try {
        const info = await store.put(toInner(key), body, options);
        return { ...info, key: toOuter(info.key) };
      } catch (error) {
        // Name the key as the caller knows it: the scope's root is not the caller's business.
        throw error instanceof PreconditionFailedError ? new PreconditionFailedError(key, error.condition, { cause: error }) : error;
      }
    },
    async delete(key) {
      allow("write", "delete");
      await store.delete(toInner(key));
    },
    async head(key) {
      allow("read", "head");
      const info = await store.head(toInner(key));
      return info && { ...info, key: toOuter(info.key) };
    },
    async list(prefix, options) {
      allow("list", "list");
      const checked = checkListPrefix(prefix);
      // A narrow token lists inside one of its objects: `do/{id}/…`.
      if (scope.objects && scope.id === undefined) allowObject(/^do\/([^/]+)\//.exec(checked)?.[1] ?? "", prefix);
      const result = await store.list(root + checked, options);
      return {
        ...result,
        objects: result.objects.filter((info) => info.key.startsWith(root)).map((info) => ({ ...info, key: toOuter(info.key) })),
      };
    },
  };
}

/** A tenant-wide key must name an object folder and a file in it: `do/{id}/…`. Returns the id. */
function requireObjectFolder(segments: string[], key: string): string {
  const [area, id] = segments;
  if (area !== "do" || id === undefined || segments.length < 3) {
    throw new PathForbiddenError(`key ${JSON.stringify(key)} is refused: tenant keys must look like do/{id}/{file}`);
  }
  assertIdentifier(id, "object id");
  return id;
}
