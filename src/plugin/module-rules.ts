import type { ModuleRule, ModuleRuleType } from "./config";

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
