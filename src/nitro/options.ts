import { existsSync } from "node:fs";
import { resolve } from "pathe";
import { InvalidConfigError } from "../plugin/config/errors";

/** One Durable Object binding: `env.<BINDING>` is the namespace of this class. */
export interface DurableObjectBindingOptions {
  /** The exported class, as wrangler's `class_name`. */
  className: string;
  /** The file that exports it, relative to the Nitro `rootDir`. */
  module: string;
}

/** The `dotdo` key of a Nitro config. */
export interface DotdoNitroOptions {
  /** `{ BINDING: { className, module } }`; two bindings to one class share its objects. */
  durableObjects: Record<string, DurableObjectBindingOptions>;
}

/** A binding with its module resolved to an absolute path. */
export interface ResolvedBinding {
  binding: string;
  className: string;
  module: string;
}

/** Where errors say the settings came from. */
const SOURCE = "nitro config";
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Checks the `dotdo` key of a Nitro config and resolves each binding's module against `rootDir`. */
export function resolveBindings(options: unknown, rootDir: string): ResolvedBinding[] {
  if (!isRecord(options)) throw new InvalidConfigError(SOURCE, "dotdo", "must be an object with durableObjects (see docs/nitro.md)");
  const objects = options.durableObjects;
  if (!isRecord(objects) || Object.keys(objects).length === 0) {
    throw new InvalidConfigError(SOURCE, "dotdo.durableObjects", 'must name at least one binding: { COUNTER: { className: "Counter", module: "./server/objects/counter.ts" } }');
  }
  const modules = new Map<string, string>();
  return Object.entries(objects).map(([binding, value]) => {
    const field = `dotdo.durableObjects.${binding}`;
    if (!IDENTIFIER.test(binding)) throw new InvalidConfigError(SOURCE, field, "is not a valid binding name (a JavaScript identifier)");
    if (!isRecord(value)) throw new InvalidConfigError(SOURCE, field, "must be { className, module }");
    const { className, module } = value;
    if (typeof className !== "string" || !IDENTIFIER.test(className)) throw new InvalidConfigError(SOURCE, `${field}.className`, "must be the name of an exported class");
    if (typeof module !== "string" || module.trim() === "") throw new InvalidConfigError(SOURCE, `${field}.module`, "must be the path of the file exporting the class");
    const path = resolve(rootDir, module);
    if (!existsSync(path)) throw new InvalidConfigError(SOURCE, `${field}.module`, `names ${path}, which does not exist`);
    // On Cloudflare a class is known by its name alone: one name, one class.
    const other = modules.get(className);
    if (other !== undefined && other !== path) throw new InvalidConfigError(SOURCE, `${field}.module`, `names ${path}, but class "${className}" is already taken from ${other}`);
    modules.set(className, path);
    return { binding, className, module: path };
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
