import { CorruptFileError } from "./errors";
import type { TableMetadata } from "./metadata-types";
import { PRIMITIVE_TYPES } from "./schema";

/**
 * Parses and checks `v{N}.metadata.json`. Anything missing or mistyped throws a
 * {@link CorruptFileError} naming `path` and the field, so a damaged table is never mistaken for
 * an empty one.
 */
export function parseTableMetadata(text: string, path: string): TableMetadata {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CorruptFileError(path, `not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const check = new Checker(path);
  const m = check.object(json, "(root)");
  if (m["format-version"] !== 2) check.fail("format-version", `is ${JSON.stringify(m["format-version"])}, expected 2`);
  check.string(m, "table-uuid");
  check.string(m, "location");
  for (const key of ["last-sequence-number", "last-updated-ms", "last-column-id", "current-schema-id", "default-spec-id", "last-partition-id", "default-sort-order-id"]) {
    check.integer(m, key);
  }
  const schemas = check.array(m, "schemas");
  schemas.forEach((s, i) => {
    const schema = check.object(s, `schemas[${i}]`);
    check.integer(schema, "schema-id", `schemas[${i}]`);
    check.array(schema, "fields", `schemas[${i}]`).forEach((f, j) => {
      const where = `schemas[${i}].fields[${j}]`;
      const field = check.object(f, where);
      check.integer(field, "id", where);
      check.string(field, "name", where);
      if (typeof field["required"] !== "boolean") check.fail(`${where}.required`, "is not a boolean");
      if (!PRIMITIVE_TYPES.includes(field["type"] as never)) check.fail(`${where}.type`, `${JSON.stringify(field["type"])} is not a type dotdo reads`);
    });
  });
  if (!schemas.some((s) => (s as Record<string, unknown>)["schema-id"] === m["current-schema-id"])) {
    check.fail("current-schema-id", "names no schema in schemas");
  }
  check.array(m, "partition-specs");
  check.array(m, "sort-orders");
  const snapshots = m["snapshots"] === undefined ? [] : check.array(m, "snapshots");
  snapshots.forEach((s, i) => {
    const where = `snapshots[${i}]`;
    const snapshot = check.object(s, where);
    for (const key of ["snapshot-id", "sequence-number", "timestamp-ms"]) check.integer(snapshot, key, where);
    check.string(snapshot, "manifest-list", where);
    check.string(check.object(snapshot["summary"], `${where}.summary`), "operation", `${where}.summary`);
  });
  const current = m["current-snapshot-id"];
  const hasCurrent = current !== undefined && current !== null && current !== -1;
  if (hasCurrent && !snapshots.some((s) => (s as Record<string, unknown>)["snapshot-id"] === current)) {
    check.fail("current-snapshot-id", `snapshot ${String(current)} is not in snapshots`);
  }
  for (const key of ["snapshot-log", "metadata-log"]) if (m[key] !== undefined) check.array(m, key);
  if (m["refs"] !== undefined) check.object(m["refs"], "refs");
  const metadata: TableMetadata = {
    ...(m as unknown as TableMetadata),
    properties: (m["properties"] as Record<string, string> | undefined) ?? {},
    snapshots: snapshots as TableMetadata["snapshots"],
    "snapshot-log": (m["snapshot-log"] as TableMetadata["snapshot-log"] | undefined) ?? [],
    "metadata-log": (m["metadata-log"] as TableMetadata["metadata-log"] | undefined) ?? [],
    refs: (m["refs"] as TableMetadata["refs"] | undefined) ?? {},
  };
  // Older writers mark "no snapshot" with -1 or null; dotdo omits the field.
  if (!hasCurrent) delete metadata["current-snapshot-id"];
  return metadata;
}

class Checker {
  constructor(private readonly path: string) {}

  fail(field: string, reason: string): never {
    throw new CorruptFileError(this.path, `${field} ${reason}`, { field });
  }

  object(value: unknown, field: string): Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) this.fail(field, "is missing or not an object");
    return value as Record<string, unknown>;
  }

  array(parent: Record<string, unknown>, key: string, at?: string): unknown[] {
    const value = parent[key];
    if (!Array.isArray(value)) this.fail(name(key, at), "is missing or not an array");
    return value as unknown[];
  }

  string(parent: Record<string, unknown>, key: string, at?: string): string {
    const value = parent[key];
    if (typeof value !== "string" || value === "") this.fail(name(key, at), "is missing or not a string");
    return value as string;
  }

  integer(parent: Record<string, unknown>, key: string, at?: string): number {
    const value = parent[key];
    if (!Number.isSafeInteger(value)) this.fail(name(key, at), "is missing or not an integer");
    return value as number;
  }
}

function name(key: string, at: string | undefined): string {
  return at === undefined ? key : `${at}.${key}`;
}
