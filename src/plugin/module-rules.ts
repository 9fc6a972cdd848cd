import { createHash } from "node:crypto";
import { basename } from "pathe";
import type { ModuleRule, ModuleRuleType } from "./config";
import type { RuntimeTarget } from "./targets";

/** wrangler's default module rules, applied after the project's own. */
export const DEFAULT_MODULE_RULES: readonly ModuleRule[] = [
  { type: "Text", globs: ["**/*.txt", "**/*.html", "**/*.sql"] },
  { type: "Data", globs: ["**/*.bin"] },
  { type: "CompiledWasm", globs: ["**/*.wasm", "**/*.wasm?module"] },
];

/** A rule in effect, with its globs compiled. */
export interface CompiledRule {
  type: ModuleRuleType;
  patterns: RegExp[];
}

/**
 * The rules in effect, in order, as wrangler computes them: the project's, then the defaults;
 * a rule without `fallthrough = true` ends its type, so later rules of that type are dropped.
 */
export function effectiveRules(rules: readonly ModuleRule[]): CompiledRule[] {
  const ended = new Set<ModuleRuleType>();
  const kept: CompiledRule[] = [];
  for (const rule of [...rules, ...DEFAULT_MODULE_RULES]) {
    if (ended.has(rule.type)) continue;
    if (rule.fallthrough !== true) ended.add(rule.type);
    kept.push({ type: rule.type, patterns: rule.globs.map(globToRegExp) });
  }
  return kept;
}

/** The type of the first rule whose glob matches the import specifier, as wrangler matches them. */
export function ruleFor(rules: readonly CompiledRule[], specifier: string): ModuleRuleType | undefined {
  return rules.find((rule) => rule.patterns.some((pattern) => pattern.test(specifier)))?.type;
}

/**
 * A glob as wrangler reads one (glob-to-regexp with globstar): `**` spans folders, `*` stays
 * within one, anything else (`?` too, as in `*.wasm?module`) is literal.
 */
export function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char !== "*") {
      source += char.replace(/[.+?^${}()|[\]\\/]/g, "\\$&");
      continue;
    }
    const globstar = glob[i + 1] === "*";
    if (!globstar) {
      source += "[^/]*";
      continue;
    }
    i++;
    if (glob[i + 1] === "/") {
      i++;
      source += "(?:[^/]*(?:/|$))*";
    } else {
      source += ".*";
    }
  }
  return new RegExp(`^${source}$`);
}

/** The rule types whose imports are not JavaScript: what such an import evaluates to is decided here. */
export type LoadedType = "Text" | "Data" | "CompiledWasm";

export function isLoadedType(type: string | undefined): type is LoadedType {
  return type === "Text" || type === "Data" || type === "CompiledWasm";
}

/** Targets that refuse to compile wasm from bytes: a CompiledWasm import stays an import of the file, for the platform to compile. */
const WASM_IMPORTS: Partial<Record<RuntimeTarget, (file: string) => string>> = {
  cloudflare: (file) => `./${file}`,
  "vercel-edge": (file) => `./${file}?module`,
};

/** Whether a CompiledWasm module stays a file on `target` (else it is compiled at load). */
export function wasmStaysFile(target: RuntimeTarget): boolean {
  return target in WASM_IMPORTS;
}

/** The import a CompiledWasm module becomes on `target`, or undefined where it is compiled at load. */
export function wasmImport(target: RuntimeTarget, file: string): string | undefined {
  return WASM_IMPORTS[target]?.(file);
}

/** The name a CompiledWasm file gets next to the bundle: its content hash, then its own name, always `.wasm`. */
export function wasmFileName(path: string, bytes: Uint8Array): string {
  return `${createHash("sha256").update(bytes).digest("hex").slice(0, 12)}-${basename(path).replace(/\.[^.]*$/, "")}.wasm`;
}

/** The module a Text, Data or (compiled at load) CompiledWasm file is: its text, an ArrayBuffer, a WebAssembly.Module. */
export function ruleModuleSource(type: LoadedType, bytes: Buffer): string {
  if (type === "Text") return `export default ${JSON.stringify(bytes.toString("utf8"))};\n`;
  const decode = `Uint8Array.from(atob(${JSON.stringify(bytes.toString("base64"))}), (c) => c.charCodeAt(0))`;
  return `export default ${type === "Data" ? `${decode}.buffer` : `new WebAssembly.Module(${decode})`};\n`;
}
