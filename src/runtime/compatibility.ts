/**
 * The workerd compatibility flags the runtime honours, decided as workerd decides them
 * (`compileCompatibilityFlags` in workerd's io/compatibility-date.c++): a flag is on when the
 * Worker names its enable flag, or when its compatibility date is on or after the flag's
 * default date and the Worker does not name its disable flag; a flag implied by another is also
 * on when that one is, from the implying date, unless its disable flag is named. Names and dates
 * are workerd's (io/compatibility-date.capnp, as of its release 1.20260730.1; `nodejs_compat`'s
 * default date is from its main branch after that); docs/runtime.md lists them.
 */
import { errorWithCode } from "./errors";

/** Used when the Worker names no compatibility date: the newest one dotdo is tested against. */
export const DEFAULT_COMPATIBILITY_DATE = "2025-09-01";

interface FlagRule {
  readonly enable: string;
  readonly disable?: string;
  /** `YYYY-MM-DD` from which the flag is on by default; none for a flag that never is. */
  readonly date?: string;
  /** On when one of these flags (named as in `RULES`, and earlier there) is, for compatibility dates from `date`. */
  readonly impliedBy?: { readonly names: readonly string[]; readonly date: string };
}

const RULES = {
  /** `experimental`: workerd's unreleased features; here only what it turns on below (RPC). */
  workerdExperimental: { enable: "experimental" },
  /** `stub.fetch("/path")` is a TypeError; without it and `fetch_standard_url`, relative to `https://fake-host/`. */
  durableObjectFetchRequiresFullUrl: { enable: "durable_object_fetch_requires_full_url", disable: "durable_object_fetch_allows_relative_url", date: "2021-11-10" },
  /** The global `navigator`. */
  globalNavigator: { enable: "global_navigator", disable: "no_global_navigator", date: "2022-03-21" },
  /** Node's modules (`node:*` imports) on workerd. */
  nodeJsCompat: { enable: "nodejs_compat", disable: "no_nodejs_compat", date: "2026-08-04" },
  /** `request.cf` gets no default `botManagement` where the edge sent none. */
  noCfBotManagementDefault: { enable: "no_cf_botmanagement_default", disable: "cf_botmanagement_default", date: "2023-08-01" },
  /** Stubs lose `get()`, `put()` and `delete()`, shortcuts for `fetch()` (those names become RPC methods). */
  fetcherNoGetPutDelete: { enable: "fetcher_no_get_put_delete", disable: "fetcher_has_get_put_delete", date: "2024-03-26" },
  /** Stubs have RPC methods: every other property name is one. */
  rpc: { enable: "rpc", disable: "no_rpc", date: "2024-04-03" },
  /** fetch() parses its URL as the URL standard does: a relative one is a TypeError, whatever the flag above says. */
  fetchStandardUrl: { enable: "fetch_standard_url", disable: "fetch_legacy_url", date: "2024-06-03" },
  /** RPC to Durable Object classes that do not extend `DurableObject` (obsolete, experimental). */
  jsRpc: { enable: "js_rpc" },
  /** Node's modules with bare names too (`path`), and `require()` of them. */
  nodeJsCompatV2: { enable: "nodejs_compat_v2", disable: "no_nodejs_compat_v2", date: "2026-08-04", impliedBy: { names: ["nodeJsCompat"], date: "2024-09-23" } },
  /** `process.env` holds the Worker's text bindings (its string `vars`). */
  populateProcessEnv: { enable: "nodejs_compat_populate_process_env", disable: "nodejs_compat_do_not_populate_process_env", impliedBy: { names: ["nodeJsCompat"], date: "2025-04-01" } },
  /** `env` and `exports` of `cloudflare:workers` are empty (a flag that turns a feature off). */
  disallowImportableEnv: { enable: "disallow_importable_env", disable: "allow_importable_env" },
  /** A browser navigation (`Sec-Fetch-Mode: navigate`) no asset matches gets `not_found_handling`, not the Worker. */
  assetsNavigationPrefersAssetServing: { enable: "assets_navigation_prefers_asset_serving", disable: "assets_navigation_has_no_effect", date: "2025-04-01" },
  /** `navigator.language` and `navigator.languages`. */
  navigatorLanguage: { enable: "enable_navigator_language", disable: "disable_navigator_language", date: "2025-05-19" },
  /** `ctx.exports` on the Worker's and each Durable Object's context. */
  ctxExports: { enable: "enable_ctx_exports", disable: "disable_ctx_exports", date: "2025-11-17" },
  /** Stubs from `ctx.exports` with props, and Durable Object class handles, can be stored in Durable Object storage. */
  allowIrrevocableStubStorage: { enable: "allow_irrevocable_stub_storage" },
  /** A stub passed as an RPC argument is duplicated for the receiver, so the caller's stays usable (else it moves). */
  rpcParamsDupStubs: { enable: "rpc_params_dup_stubs", disable: "rpc_params_transfer_stubs", date: "2026-01-20" },
  /** `storage.deleteAll()` also deletes the alarm. */
  deleteAllDeletesAlarm: { enable: "delete_all_deletes_alarm", disable: "delete_all_preserves_alarm", date: "2026-02-24" },
  /** `WebSocket.close()` throws a SyntaxError for a reason over 123 UTF-8 bytes. */
  webSocketCloseReasonByteLimit: { enable: "websocket_close_reason_byte_limit", disable: "no_websocket_close_reason_byte_limit", date: "2026-03-03" },
  /** `binaryType` starts as `"blob"`, so binary messages arrive as `Blob`s (not in hibernation handlers). */
  webSocketStandardBinaryType: { enable: "websocket_standard_binary_type", disable: "no_websocket_standard_binary_type", date: "2026-03-17" },
  /** A received close is answered with a close at once, and the socket is CLOSED when `close` fires. */
  webSocketAutoReplyToClose: { enable: "web_socket_auto_reply_to_close", disable: "web_socket_manual_reply_to_close", date: "2026-04-07" },
  /** An incoming request's `signal` aborts when its client disconnects before the answer is sent (the node server outputs). */
  enableRequestSignal: { enable: "enable_request_signal", disable: "disable_request_signal" },
  /** An error thrown over RPC keeps its name, `cause`, an AggregateError's `errors` and its other own properties. */
  enhancedErrorSerialization: { enable: "enhanced_error_serialization", disable: "legacy_error_serialization", date: "2026-04-21" },
} as const satisfies Record<string, FlagRule>;

type FlagName = keyof typeof RULES;

export type Compatibility = { readonly [K in FlagName]: boolean };

/** The Worker names both the enable and the disable flag of one feature, which workerd refuses. */
export class ContradictoryFlagsError extends errorWithCode("COMPATIBILITY_FLAGS_CONTRADICTORY") {}

/** What the Worker's compatibility date and flags (wrangler's `compatibility_date` / `_flags`) turn on. */
export function resolveCompatibility(date = DEFAULT_COMPATIBILITY_DATE, flags: readonly string[] = []): Compatibility {
  const named = new Set(flags);
  const resolved: Record<string, boolean> = {};
  for (const [name, rule] of Object.entries(RULES) as [string, FlagRule][]) {
    const enabled = named.has(rule.enable);
    const disabled = rule.disable !== undefined && named.has(rule.disable);
    if (enabled && disabled) throw new ContradictoryFlagsError(`Compatibility flags are mutually contradictory: ${rule.enable} vs ${rule.disable}`);
    const byDate = rule.date !== undefined && date >= rule.date;
    const implied = !disabled && rule.impliedBy !== undefined && date >= rule.impliedBy.date && rule.impliedBy.names.some((other) => resolved[other]);
    resolved[name] = enabled || (byDate && !disabled) || implied;
  }
  return resolved as Compatibility;
}
