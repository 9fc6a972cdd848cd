/**
 * `process.env` as workerd fills it with `nodejs_compat_populate_process_env`: the Worker's
 * string vars as they are, other JSON values (plain objects and arrays of them) as JSON, and
 * no other binding (workerd's internal_process.ts). There they are all it holds; here they join
 * the process's own variables, over any of the same name.
 */
export function populateProcessEnv(env: Record<string, unknown>): void {
  const processEnv = (globalThis as { process?: { env?: Record<string, string> } }).process?.env;
  if (!processEnv) return;
  for (const [name, value] of Object.entries(env)) {
    if (typeof value === "string") processEnv[name] = value;
    else if (isJsonValue(value, new Set())) processEnv[name] = JSON.stringify(value);
  }
}

/** Plain data only: an object of another class would round-trip as something else. No aliases. */
function isJsonValue(value: unknown, seen: Set<unknown>): boolean {
  if (value === null || typeof value === "boolean" || typeof value === "number" || typeof value === "string") return true;
  if (typeof value !== "object" || seen.has(value)) return false;
  seen.add(value);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Array.prototype) return (value as unknown[]).every((item) => isJsonValue(item, seen));
  return proto === Object.prototype && Object.values(value).every((item) => isJsonValue(item, seen));
}
