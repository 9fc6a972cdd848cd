/**
 * The workerd compatibility flags the runtime honours, decided as workerd decides them: an
 * enable flag or a disable flag when the Worker's config names one, else whether its
 * compatibility date is on or after the date the flag became the default.
 */

/** Used when the Worker names no compatibility date: the newest one dotdo is tested against. */
export const DEFAULT_COMPATIBILITY_DATE = "2025-09-01";

interface FlagRule {
  readonly enable: string;
  readonly disable?: string;
  /** `YYYY-MM-DD` from which the flag is on by default; none for a flag that never is. */
  readonly date?: string;
}

const RULES = {
  /** `storage.deleteAll()` also deletes the alarm. */
  deleteAllDeletesAlarm: { enable: "delete_all_deletes_alarm", disable: "delete_all_preserves_alarm", date: "2026-02-24" },
  /** A browser navigation (`Sec-Fetch-Mode: navigate`) no asset matches gets `not_found_handling`, not the Worker. */
  assetsNavigationPrefersAssetServing: { enable: "assets_navigation_prefers_asset_serving", disable: "assets_navigation_has_no_effect", date: "2025-04-01" },
  /** An error thrown over RPC keeps its own properties. */
  enhancedErrorSerialization: { enable: "enhanced_error_serialization", disable: "legacy_error_serialization", date: "2026-04-21" },
  /** RPC to Durable Object classes that do not extend `DurableObject` (obsolete, experimental). */
  jsRpc: { enable: "js_rpc" },
} as const satisfies Record<string, FlagRule>;

export type Compatibility = { readonly [K in keyof typeof RULES]: boolean };

/** What the Worker's compatibility date and flags (wrangler's `compatibility_date` / `_flags`) turn on. */
export function resolveCompatibility(date = DEFAULT_COMPATIBILITY_DATE, flags: readonly string[] = []): Compatibility {
  const on = (rule: FlagRule) => {
    if (flags.includes(rule.enable)) return true;
    if (rule.disable !== undefined && flags.includes(rule.disable)) return false;
    return rule.date !== undefined && date >= rule.date;
  };
  return Object.fromEntries(Object.entries(RULES).map(([name, rule]) => [name, on(rule)])) as Compatibility;
}
