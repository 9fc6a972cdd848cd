import { ContradictoryFlagsError, resolveCompatibility } from "../../runtime/compatibility";
import { InvalidConfigError } from "./errors";
import type { AssetsConfig, CloudflareOnlyBinding, CustomBuild, DurableObjectBinding, MigrationStep, ModuleRule, ModuleRuleType, R2BucketBinding, ServiceBinding, VarValue, WorkerProject } from "./types";

/**
 * The wrangler fields dotdo reads, checked but not yet resolved against the file system
 * (`main` and `alias` stay relative; `name` and `main` may be missing).
 */
export interface WranglerFields
  extends Pick<
    WorkerProject,
    | "compatibilityDate"
    | "compatibilityFlags"
    | "durableObjects"
    | "exportedDurableObjects"
    | "migrations"
    | "vars"
    | "r2Buckets"
    | "crons"
    | "define"
    | "alias"
    | "rules"
    | "findAdditionalModules"
    | "cloudflareOnlyBindings"
    | "cpuLimitMs"
  > {
  name?: string;
  main?: string;
  /** `services`, each with where it is in the config (they bind this Worker or another, which only the name tells). */
  services: { field: string; binding: ServiceBinding }[];
  /** `base_dir` as written (relative to the config). */
  baseDir?: string;
  /** `assets`, with `directory` as written (relative to the config). */
  assets?: AssetsConfig;
  /** `build`, with `cwd` and `watch_dir` as written (relative to the config). */
  build?: CustomBuild;
  /** The whole parsed file. */
  raw: Record<string, unknown>;
}

/** Binding lists only Cloudflare provides, with the key naming each entry's `env` name. */
const CLOUDFLARE_ONLY_LISTS: Record<string, "binding" | "name"> = {
  kv_namespaces: "binding",
  d1_databases: "binding",
  hyperdrive: "binding",
  vectorize: "binding",
  analytics_engine_datasets: "binding",
  dispatch_namespaces: "binding",
  mtls_certificates: "binding",
  workflows: "binding",
  send_email: "name",
  "queues.producers": "binding",
};

/** Single bindings only Cloudflare provides. */
const CLOUDFLARE_ONLY_OBJECTS = ["ai", "browser", "images", "version_metadata"];

type Table = Record<string, unknown>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The flags, refused when they name both ways of one feature (workerd refuses them too). */
function compatibilityFlags(check: FieldChecker, value: unknown): string[] {
  const flags = check.stringList(value, "compatibility_flags") ?? [];
  try {
    resolveCompatibility(undefined, flags);
  } catch (error) {
    if (error instanceof ContradictoryFlagsError) check.fail("compatibility_flags", error.message);
    throw error;
  }
  return flags;
}

/** Checks the parsed wrangler config; every error names `file` and the field at fault. */
export function validateWrangler(raw: unknown, file: string): WranglerFields {
  const check = new FieldChecker(file);
  const top = check.table(raw, "");
  const bindings = check.optionalArray(check.optionalTable(top.durable_objects, "durable_objects")?.bindings, "durable_objects.bindings");
  return {
    name: check.optionalString(top.name, "name"),
    main: check.optionalString(top.main, "main"),
    compatibilityDate: check.optionalDate(top.compatibility_date, "compatibility_date"),
    compatibilityFlags: compatibilityFlags(check, top.compatibility_flags),
    durableObjects: bindings.map((entry, i) => durableObjectBinding(check, entry, `durable_objects.bindings[${i}]`)),
    exportedDurableObjects: exportedDurableObjects(check, top.exports),
    migrations: check.optionalArray(top.migrations, "migrations").map((entry, i) => migrationStep(check, entry, `migrations[${i}]`)),
    vars: check.vars(top.vars, "vars"),
    r2Buckets: check.optionalArray(top.r2_buckets, "r2_buckets").map((entry, i) => r2Bucket(check, entry, `r2_buckets[${i}]`)),
    services: check.optionalArray(top.services, "services").map((entry, i) => ({ field: `services[${i}]`, binding: serviceBinding(check, entry, `services[${i}]`) })),
    crons: check.stringList(check.optionalTable(top.triggers, "triggers")?.crons, "triggers.crons") ?? [],
    define: check.stringTable(top.define, "define"),
    alias: check.stringTable(top.alias, "alias"),
    rules: check.optionalArray(top.rules, "rules").map((entry, i) => moduleRule(check, entry, `rules[${i}]`)),
    findAdditionalModules: check.optionalBoolean(top.find_additional_modules, "find_additional_modules") ?? false,
    baseDir: check.optionalString(top.base_dir, "base_dir"),
    cloudflareOnlyBindings: cloudflareOnlyBindings(check, top),
    ...(top.assets === undefined ? {} : { assets: assetsConfig(check, top.assets) }),
    ...customBuild(check, top.build),
    ...cpuLimit(check, top.limits),
    raw: top,
  };
}

/** wrangler's `limits.cpu_ms` (its `subrequests` count is Cloudflare's alone). */
function cpuLimit(check: FieldChecker, raw: unknown): { cpuLimitMs?: number } {
  const cpuMs = check.optionalNumber(check.optionalTable(raw, "limits")?.cpu_ms, "limits.cpu_ms");
  if (cpuMs === undefined) return {};
  if (!Number.isInteger(cpuMs) || cpuMs === 0) check.fail("limits.cpu_ms", "must be a whole number of milliseconds above 0");
  return { cpuLimitMs: cpuMs };
}

/** wrangler's `build`; without a `command` there is nothing to run, as in wrangler. */
function customBuild(check: FieldChecker, raw: unknown): { build?: CustomBuild } {
  const entry = check.optionalTable(raw, "build");
  if (entry === undefined) return {};
  for (const key of Object.keys(entry)) {
    if (!["command", "cwd", "watch_dir"].includes(key)) check.fail(`build.${key}`, "is not a field wrangler knows (command, cwd, watch_dir)");
  }
  const command = check.optionalString(entry.command, "build.command");
  const cwd = check.optionalString(entry.cwd, "build.cwd") ?? ".";
  const watchDirs = typeof entry.watch_dir === "string" ? [check.string(entry.watch_dir, "build.watch_dir")] : (check.stringList(entry.watch_dir, "build.watch_dir") ?? ["./src"]);
  return command === undefined ? {} : { build: { command, cwd, watchDirs } };
}

/** The classes `exports` declares as live Durable Objects: of type "durable-object", neither deleted nor renamed away. */
function exportedDurableObjects(check: FieldChecker, raw: unknown): string[] {
  const table = check.optionalTable(raw, "exports") ?? {};
  return Object.entries(table)
    .filter(([name, entry]) => check.table(entry, `exports.${name}`).type === "durable-object")
    .filter(([name, entry]) => [undefined, "created"].includes(check.optionalString((entry as Table).state, `exports.${name}.state`)))
    .map(([name]) => check.identifier(name, `exports.${name}`));
}

const HTML_HANDLING = ["auto-trailing-slash", "force-trailing-slash", "drop-trailing-slash", "none"] as const;
const NOT_FOUND_HANDLING = ["none", "single-page-application", "404-page"] as const;

function assetsConfig(check: FieldChecker, raw: unknown): AssetsConfig {
  const entry = check.table(raw, "assets");
  const binding = check.optionalString(entry.binding, "assets.binding");
  const assets: AssetsConfig = {
    directory: check.string(entry.directory, "assets.directory"),
    htmlHandling: check.oneOf(entry.html_handling, "assets.html_handling", HTML_HANDLING) ?? "auto-trailing-slash",
    notFoundHandling: check.oneOf(entry.not_found_handling, "assets.not_found_handling", NOT_FOUND_HANDLING) ?? "none",
    runWorkerFirst: runWorkerFirst(check, entry.run_worker_first),
  };
  if (binding !== undefined) assets.binding = check.identifier(binding, "assets.binding");
  return assets;
}

/** As wrangler checks it: each rule starts with `/` (to the Worker) or `!/` (to the assets), and one at least is positive. */
function runWorkerFirst(check: FieldChecker, value: unknown): boolean | string[] {
  const field = "assets.run_worker_first";
  if (value === undefined || typeof value === "boolean") return value ?? false;
  if (!Array.isArray(value)) check.fail(field, "must be true, false or a list of path patterns");
  const rules = check.stringList(value, field) ?? [];
  rules.forEach((rule, i) => {
    if (!rule.startsWith("/") && !rule.startsWith("!/")) check.fail(`${field}[${i}]`, `must start with "/" or "!/", got ${JSON.stringify(rule)}`);
  });
  if (!rules.some((rule) => rule.startsWith("/"))) check.fail(field, "must list at least one pattern that is not negative (\"!/…\")");
  return rules;
}

function cloudflareOnlyBindings(check: FieldChecker, top: Table): CloudflareOnlyBinding[] {
  const found: CloudflareOnlyBinding[] = [];
  for (const [path, nameKey] of Object.entries(CLOUDFLARE_ONLY_LISTS)) {
    const [key, sub] = path.split(".") as [string, string | undefined];
    const list = sub === undefined ? top[key] : check.optionalTable(top[key], key)?.[sub];
    check.optionalArray(list, path).forEach((entry, i) => {
      const field = `${path}[${i}]`;
      found.push({ field, name: check.string(check.table(entry, field)[nameKey], `${field}.${nameKey}`) });
    });
  }
  for (const key of CLOUDFLARE_ONLY_OBJECTS) {
    const entry = check.optionalTable(top[key], key);
    if (entry?.binding !== undefined) found.push({ field: key, name: check.string(entry.binding, `${key}.binding`) });
  }
  return found;
}

function durableObjectBinding(check: FieldChecker, raw: unknown, at: string): DurableObjectBinding {
  const entry = check.table(raw, at);
  const binding: DurableObjectBinding = {
    name: check.identifier(entry.name, `${at}.name`),
    className: check.identifier(entry.class_name, `${at}.class_name`),
  };
  const scriptName = check.optionalString(entry.script_name, `${at}.script_name`);
  return scriptName === undefined ? binding : { ...binding, scriptName };
}

function migrationStep(check: FieldChecker, raw: unknown, at: string): MigrationStep {
  const entry = check.table(raw, at);
  const step: MigrationStep = { tag: check.string(entry.tag, `${at}.tag`) };
  for (const key of ["new_classes", "new_sqlite_classes", "deleted_classes"] as const) {
    const classes = check.stringList(entry[key], `${at}.${key}`);
    if (classes) step[key] = classes;
  }
  const renamed = check.optionalArray(entry.renamed_classes, `${at}.renamed_classes`);
  if (renamed.length > 0) {
    step.renamed_classes = renamed.map((r, i) => {
      const rename = check.table(r, `${at}.renamed_classes[${i}]`);
      return { from: check.string(rename.from, `${at}.renamed_classes[${i}].from`), to: check.string(rename.to, `${at}.renamed_classes[${i}].to`) };
    });
  }
  const transferred = check.optionalArray(entry.transferred_classes, `${at}.transferred_classes`);
  if (transferred.length > 0) {
    step.transferred_classes = transferred.map((t, i) => {
      const move = check.table(t, `${at}.transferred_classes[${i}]`);
      const field = `${at}.transferred_classes[${i}]`;
      return { from: check.string(move.from, `${field}.from`), from_script: check.string(move.from_script, `${field}.from_script`), to: check.string(move.to, `${field}.to`) };
    });
  }
  return step;
}

const MODULE_RULE_TYPES: readonly ModuleRuleType[] = ["ESModule", "CommonJS", "CompiledWasm", "Text", "Data"];

function moduleRule(check: FieldChecker, raw: unknown, at: string): ModuleRule {
  const entry = check.table(raw, at);
  const type = check.string(entry.type, `${at}.type`);
  if (!MODULE_RULE_TYPES.includes(type as ModuleRuleType)) check.fail(`${at}.type`, `must be one of ${MODULE_RULE_TYPES.join(", ")} (dotdo builds JavaScript Workers), got ${JSON.stringify(type)}`);
  const globs = check.stringList(entry.globs, `${at}.globs`);
  if (!globs || globs.length === 0) check.fail(`${at}.globs`, "must list at least one glob");
  const fallthrough = check.optionalBoolean(entry.fallthrough, `${at}.fallthrough`);
  return { type: type as ModuleRuleType, globs, ...(fallthrough === undefined ? {} : { fallthrough }) };
}

function r2Bucket(check: FieldChecker, raw: unknown, at: string): R2BucketBinding {
  const entry = check.table(raw, at);
  const binding: R2BucketBinding = { binding: check.identifier(entry.binding, `${at}.binding`) };
  const bucketName = check.optionalString(entry.bucket_name, `${at}.bucket_name`);
  return bucketName === undefined ? binding : { ...binding, bucketName };
}

function serviceBinding(check: FieldChecker, raw: unknown, at: string): ServiceBinding {
  const entry = check.table(raw, at);
  const binding: ServiceBinding = { binding: check.identifier(entry.binding, `${at}.binding`), service: check.string(entry.service, `${at}.service`) };
  const entrypoint = check.optionalString(entry.entrypoint, `${at}.entrypoint`);
  if (entrypoint !== undefined) binding.entrypoint = entrypoint;
  if (entry.props !== undefined) binding.props = check.vars(entry.props, `${at}.props`);
  return binding;
}

/** Checks values field by field; every error names the file and the field at fault. */
export class FieldChecker {
  constructor(private readonly file: string) {}

  fail(field: string, problem: string): never {
    throw new InvalidConfigError(this.file, field || undefined, problem);
  }

  table(value: unknown, field: string): Table {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.fail(field, field ? "must be an object" : "must hold an object at the top level");
    }
    return value as Table;
  }

  optionalTable(value: unknown, field: string): Table | undefined {
    return value === undefined ? undefined : this.table(value, field);
  }

  optionalArray(value: unknown, field: string): unknown[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) this.fail(field, "must be an array");
    return value;
  }

  string(value: unknown, field: string): string {
    if (typeof value !== "string" || value.trim() === "") this.fail(field, "must be a non-empty string");
    return value;
  }

  optionalString(value: unknown, field: string): string | undefined {
    return value === undefined ? undefined : this.string(value, field);
  }

  identifier(value: unknown, field: string): string {
    const text = this.string(value, field);
    if (!IDENTIFIER.test(text)) this.fail(field, `must be a JavaScript identifier, got ${JSON.stringify(text)}`);
    return text;
  }

  optionalDate(value: unknown, field: string): string | undefined {
    if (value === undefined) return undefined;
    const text = typeof value === "string" ? value : value instanceof Date ? value.toISOString().slice(0, 10) : undefined;
    if (text === undefined || !DATE.test(text) || Number.isNaN(Date.parse(text))) this.fail(field, "must be a date written YYYY-MM-DD");
    return text;
  }

  stringList(value: unknown, field: string): string[] | undefined {
    if (value === undefined) return undefined;
    return this.optionalArray(value, field).map((item, i) => this.string(item, `${field}[${i}]`));
  }

  stringTable(value: unknown, field: string): Record<string, string> {
    const table = this.optionalTable(value, field) ?? {};
    for (const [key, item] of Object.entries(table)) this.string(item, `${field}.${key}`);
    return table as Record<string, string>;
  }

  oneOf<T extends string>(value: unknown, field: string, choices: readonly T[]): T | undefined {
    if (value === undefined) return undefined;
    if (!choices.includes(value as T)) this.fail(field, `must be one of ${choices.map((c) => JSON.stringify(c)).join(", ")}, got ${JSON.stringify(value)}`);
    return value as T;
  }

  optionalBoolean(value: unknown, field: string): boolean | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== "boolean") this.fail(field, "must be true or false");
    return value;
  }

  optionalNumber(value: unknown, field: string): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) this.fail(field, "must be a non-negative number");
    return value;
  }

  vars(value: unknown, field: string): Record<string, VarValue> {
    const table = this.optionalTable(value, field) ?? {};
    for (const [key, item] of Object.entries(table)) this.varValue(item, `${field}.${key}`);
    return table as Record<string, VarValue>;
  }

  private varValue(value: unknown, field: string): void {
    if (value === null || ["string", "number", "boolean"].includes(typeof value)) return;
    if (Array.isArray(value)) return value.forEach((item, i) => this.varValue(item, `${field}[${i}]`));
    if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.entries(value).forEach(([key, item]) => this.varValue(item, `${field}.${key}`));
    }
    this.fail(field, "must be a JSON value (string, number, boolean, null, array or object)");
  }
}
