import { ClaimsInvalidError, ClaimsMissingError, PathForbiddenError } from "./errors";
import { assertIdentifier, prefixSegments } from "./path";

/** What a token may do in its scope: `read` = get/head, `write` = put/delete, `list` = list. */
export type Permission = "read" | "write" | "list";

export const PERMISSIONS: readonly Permission[] = ["read", "write", "list"];

/** Object ids one token may name: a narrow grant, not a list of a tenant's objects. */
const MAX_OBJECTS = 100;

/** The storage grant carried by a verified token. */
export interface StorageClaims {
  org: string;
  tenant: string;
  bucket: string;
  /** Path prefix inside the bucket, `""` or identifiers joined by `/`. */
  prefix: string;
  permissions: readonly Permission[];
  /**
   * `storage.objects`, optional: the object ids (`do/{id}/`) the token may reach; without it,
   * every object of the tenant. Classes are not part of storage paths (an id names one object
   * of one class), so a narrower grant names ids.
   */
  objects?: readonly string[];
}

/**
 * Reads `org_id`, `tenant_id` and `storage` from an already verified JWT payload.
 * Every value that becomes part of a path is checked here, so a token cannot aim its
 * own scope outside `{prefix}/org={org}/tenant={tenant}/`.
 */
export function readStorageClaims(payload: Readonly<Record<string, unknown>>): StorageClaims {
  const org = required(payload, "org_id");
  const tenant = required(payload, "tenant_id");
  const storage = required(payload, "storage");
  if (typeof storage !== "object" || storage === null || Array.isArray(storage)) {
    throw new ClaimsInvalidError("claim 'storage' must be an object { bucket, prefix, permissions }");
  }
  const grant = storage as Record<string, unknown>;
  const bucket = required(grant, "bucket", "storage.");
  const prefix = required(grant, "prefix", "storage.");
  const permissions = required(grant, "permissions", "storage.");
  if (typeof bucket !== "string" || bucket === "") {
    throw new ClaimsInvalidError("claim 'storage.bucket' must be a non-empty string");
  }
  if (typeof prefix !== "string") throw new ClaimsInvalidError("claim 'storage.prefix' must be a string");
  return {
    org: identifier(org, "org_id"),
    tenant: identifier(tenant, "tenant_id"),
    bucket,
    prefix: safePrefix(prefix),
    permissions: permissionList(permissions),
    ...(grant.objects !== undefined && { objects: objectList(grant.objects) }),
  };
}

function required(source: Readonly<Record<string, unknown>>, name: string, path = ""): unknown {
  const value = source[name];
  if (value === undefined || value === null) {
    throw new ClaimsMissingError(`token has no '${path}${name}' claim`);
  }
  return value;
}

function identifier(value: unknown, claim: string): string {
  try {
    assertIdentifier(value, `claim '${claim}'`);
  } catch (error) {
    if (error instanceof PathForbiddenError) throw new ClaimsInvalidError(error.message);
    throw error;
  }
  return value;
}

function safePrefix(prefix: string): string {
  try {
    prefixSegments(prefix);
  } catch (error) {
    if (error instanceof PathForbiddenError) {
      throw new ClaimsInvalidError(`claim 'storage.prefix' ${JSON.stringify(prefix)} is unsafe: ${error.message}`);
    }
    throw error;
  }
  return prefix;
}

function objectList(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_OBJECTS) {
    throw new ClaimsInvalidError(`claim 'storage.objects', when given, must be an array of 1 to ${MAX_OBJECTS} object ids`);
  }
  return [...new Set(value.map((id: unknown) => identifier(id, "storage.objects")))];
}

function permissionList(value: unknown): Permission[] {
  if (!Array.isArray(value)) throw new ClaimsInvalidError("claim 'storage.permissions' must be an array");
  for (const entry of value) {
    if (!PERMISSIONS.includes(entry as Permission)) {
      throw new ClaimsInvalidError(
        `claim 'storage.permissions' has unknown permission ${JSON.stringify(entry)}; known: ${PERMISSIONS.join(", ")}`,
      );
    }
  }
  return [...new Set(value as Permission[])];
}
