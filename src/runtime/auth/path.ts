import { unportableSegment } from "../storage/keys";
import { PathForbiddenError } from "./errors";

/**
 * Key validation for scoped storage. A key is accepted only if it is already in its one
 * canonical form: nothing is silently rewritten, so what a client asked for and what is
 * stored can never differ in a way that crosses a scope boundary.
 */

const MAX_KEY_LENGTH = 1024;

/**
 * Identifiers taken from token claims and object ids: one plain path segment each, lowercase
 * only, so two of them that differ only in case (tenants `Acme` and `acme`) never meet in one
 * folder on a case-insensitive file system (macOS's and Windows' defaults). Durable Object ids
 * are lowercase hex already.
 */
const IDENTIFIER = /^[a-z0-9][a-z0-9._-]{0,127}$/;

/** Percent-encoded bytes (`%2e`, `%2F`, `%252e` …): a later decode could turn them into `..` or `/`. */
const PERCENT_ENCODED = /%[0-9A-Fa-f]{2}/;

/** Control, format (zero-width, bidi overrides), surrogate, private-use and unassigned code points. */
const INVISIBLE = /\p{C}/u;

/**
 * Slash- and dot-like characters that survive NFKC normalisation unchanged, so a check
 * against the normalised form alone would miss them.
 */
const LOOKALIKES = /[\u2215\u2044\u29F8\u2216\u29F5\u29F9\uFE68\u2024\u2025\u2026\u3002\uFF61\u0338]/u;

/** Checks a claim or object id that will become one path segment (`org`, `tenant`, `id`, prefix parts). */
export function assertIdentifier(value: unknown, what: string): asserts value is string {
  if (typeof value !== "string" || !IDENTIFIER.test(value)) {
    throw new PathForbiddenError(
      `${what} ${JSON.stringify(value)} is not a safe identifier: use 1-128 characters from a-z 0-9 . _ - (lowercase: names differing only in case would share a folder on a case-insensitive file system), starting with a letter or digit`,
    );
  }
}

/**
 * Splits a storage prefix claim such as `apps/prod` into its segments, each an identifier.
 * An empty prefix is allowed and yields no segments.
 */
export function prefixSegments(prefix: string): string[] {
  if (prefix === "") return [];
  const segments = prefix.split("/");
  for (const segment of segments) assertIdentifier(segment, "storage prefix segment");
  return segments;
}

/**
 * Validates an object key relative to a scope and returns its segments.
 * Throws `PathForbiddenError` naming the first rule the key breaks.
 */
export function keySegments(key: unknown): string[] {
  const path = checkPath(key, "key");
  if (path === "") forbid("key", path, "it is empty");
  if (path.endsWith("/")) forbid("key", path, "it ends with '/'");
  return splitSegments(path, "key");
}

/**
 * Validates a list prefix relative to a scope. It may be empty or end with `/`; its
 * complete segments follow the same rules as keys.
 */
export function checkListPrefix(prefix: unknown): string {
  const path = checkPath(prefix, "list prefix");
  if (path === "") return path;
  const body = path.endsWith("/") ? path.slice(0, -1) : path;
  splitSegments(body, "list prefix");
  return path;
}

function checkPath(value: unknown, what: string): string {
  if (typeof value !== "string") {
    throw new PathForbiddenError(`${what} must be a string, got ${typeof value}`);
  }
  if (value.length > MAX_KEY_LENGTH) forbid(what, value, `it is longer than ${MAX_KEY_LENGTH} characters`);
  if (INVISIBLE.test(value)) forbid(what, value, "it contains a control or invisible character");
  if (value.normalize("NFKC") !== value) {
    forbid(what, value, "it is not in Unicode NFKC form (full-width or compatibility characters)");
  }
  if (LOOKALIKES.test(value)) forbid(what, value, "it contains a character that looks like '/' or '.'");
  if (value.includes("\\")) forbid(what, value, "it contains a backslash");
  if (PERCENT_ENCODED.test(value)) forbid(what, value, "it contains a percent-encoded byte");
  if (value.startsWith("/")) forbid(what, value, "it is absolute");
  return value;
}

function splitSegments(path: string, what: string): string[] {
  const segments = path.split("/");
  for (const [index, segment] of segments.entries()) {
    if (segment === "") forbid(what, path, "it has an empty segment ('//')");
    if (/^\.+$/.test(segment)) forbid(what, path, `segment '${segment}' is made of dots only`);
    if (index === 0 && /^[A-Za-z]:$/.test(segment)) forbid(what, path, "it starts with a drive letter");
    const problem = unportableSegment(segment);
    if (problem) forbid(what, path, `it ${problem}`);
  }
  return segments;
}

function forbid(what: string, value: string, reason: string): never {
  throw new PathForbiddenError(`${what} ${JSON.stringify(value)} is refused: ${reason}`);
}
