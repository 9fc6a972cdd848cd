// Compatibility dates and flags decide the shim's behaviour as they decide workerd's: one probe
// Worker (test/fixtures/compat-flags) built with five configurations — a current date, the
// same date with the names that turn each feature off (two sets: the navigator and RPC hide
// what other flags decide), an early date, and the early date with the names that turn each
// feature on — runs in workerd (miniflare) and on node, bun and deno; each answers /probe with
// what the flags decide, and every output must answer as workerd does.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { Miniflare } from "miniflare";
import { join, resolve } from "pathe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFixture } from "./harness/outputs";
import { startServer } from "./harness/process";
import { SERVER_COMMANDS, SERVER_PRESET_NAMES } from "./harness/server-commands";
import { workerdOptions } from "./harness/workerd";

const FIXTURE = resolve(import.meta.dirname, "../fixtures/compat-flags");
const CURRENT = "2026-07-01";
const EARLY = "2021-11-01";

/** The flags the probe observes, as the names that turn the feature on and off. */
const FLAGS = [
  ["global_navigator", "no_global_navigator"],
  ["enable_navigator_language", "disable_navigator_language"],
  ["enable_ctx_exports", "disable_ctx_exports"],
  ["rpc_params_dup_stubs", "rpc_params_transfer_stubs"],
  ["rpc", "no_rpc"],
  ["fetcher_no_get_put_delete", "fetcher_has_get_put_delete"],
  ["durable_object_fetch_requires_full_url", "durable_object_fetch_allows_relative_url"],
  ["fetch_standard_url", "fetch_legacy_url"],
  ["enhanced_error_serialization", "legacy_error_serialization"],
  ["no_cf_botmanagement_default", "cf_botmanagement_default"],
  ["nodejs_compat_populate_process_env", "nodejs_compat_do_not_populate_process_env"],
  ["allow_importable_env", "disallow_importable_env"],
  ["delete_all_deletes_alarm", "delete_all_preserves_alarm"],
  ["websocket_close_reason_byte_limit", "no_websocket_close_reason_byte_limit"],
  ["websocket_standard_binary_type", "no_websocket_standard_binary_type"],
  ["web_socket_auto_reply_to_close", "web_socket_manual_reply_to_close"],
] as const;

/** Turned off in a set of their own: without them, what other flags decide cannot be seen. */
const MASKING = ["no_global_navigator", "no_rpc"];

const CONFIGS = {
  current: { date: CURRENT, flags: [] as string[] },
  "current, disabled": { date: CURRENT, flags: FLAGS.map(([, off]) => off).filter((flag) => !MASKING.includes(flag)) },
  "current, no navigator or rpc": { date: CURRENT, flags: MASKING },
  early: { date: EARLY, flags: [] as string[] },
  "early, enabled": { date: EARLY, flags: FLAGS.map(([on]) => on) },
};
type ConfigName = keyof typeof CONFIGS;

type Probe = Record<string, unknown>;
const answers = {} as Record<ConfigName, { workerd: Probe } & Record<string, Probe>>;
const scratch: string[] = [];

/** The fixture with `config`'s date and flags (nodejs_compat in all: the probe reads `process.env`). */
function variant(config: { date: string; flags: string[] }): string {
  const root = mkdtempSync(join(tmpdir(), "dotdo-compat-flags-"));
  scratch.push(root);
  cpSync(join(FIXTURE, "src"), join(root, "src"), { recursive: true });
  const wrangler = JSON.parse(readFileSync(join(FIXTURE, "wrangler.json"), "utf8")) as Record<string, unknown>;
  const flags = ["nodejs_compat", ...config.flags];
  writeFileSync(join(root, "wrangler.json"), JSON.stringify({ ...wrangler, compatibility_date: config.date, compatibility_flags: flags }));
  return root;
}

async function probe(url: string, headers: Record<string, string> = {}): Promise<Probe> {
  const response = await fetch(`${url}/probe`, { headers });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return JSON.parse(text) as Probe;
}

async function onWorkerd(root: string): Promise<Probe> {
  const output = await buildFixture("cloudflare", root);
  // An edge's cf without botManagement, as the shim's proxy headers give none.
  const mf = new Miniflare({ ...workerdOptions(output), cf: { country: "DE" }, host: "127.0.0.1", port: 0 });
  try {
    return await probe((await mf.ready).toString().replace(/\/$/, ""));
  } finally {
    await mf.dispose();
    output.remove();
  }
}

async function onServer(preset: keyof typeof SERVER_COMMANDS, root: string): Promise<Probe> {
  const output = await buildFixture(preset, root);
  const { command, args } = SERVER_COMMANDS[preset](join("server", "index.mjs"));
  const server = await startServer(command, args, output.copy, { DOTDO_STORAGE: `file:${join(output.copy, "state")}` });
  try {
    return await probe(server.url, { "cf-ipcountry": "DE" });
  } finally {
    await server.stop();
    output.remove();
  }
}

beforeAll(async () => {
  for (const [name, config] of Object.entries(CONFIGS) as [ConfigName, (typeof CONFIGS)[ConfigName]][]) {
    const root = variant(config);
    answers[name] = { workerd: await onWorkerd(root) };
    for (const preset of SERVER_PRESET_NAMES) answers[name][preset] = await onServer(preset, root);
  }
}, 240_000);

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe("compatibility dates and flags", () => {
  it("turn each probed behaviour both ways on workerd, so that the comparison below means something", () => {
    const { current, early } = answers;
    const disabled = answers["current, disabled"];
    const enabled = answers["early, enabled"];
    // The disabled set keeps the navigator and RPC (to show the language and error serialization
    // off); importable env has no date: it is there unless disallow_importable_env is named.
    // userAgent and country are no flag's: they show the two sides set up alike.
    const keptWhenDisabled = new Set(["userAgent", "country", "navigator", "rpc"]);
    const keptWhenEnabled = new Set(["userAgent", "country", "importedEnv", "importedExports"]);
    for (const field of Object.keys(current.workerd)) {
      if (!keptWhenDisabled.has(field)) expect(disabled.workerd[field], `${field} with the flags that turn features off`).not.toEqual(current.workerd[field]);
      if (!keptWhenEnabled.has(field)) expect(enabled.workerd[field], `${field} with the flags that turn them on, at an early date`).not.toEqual(early.workerd[field]);
    }
    // Before fetcher_no_get_put_delete, stub.get() is a shortcut for fetch().
    expect(early.workerd.getShortcut).toBe('{"url":"https://probe/ctx","ctxExports":"undefined"}');
    const masked = answers["current, no navigator or rpc"].workerd;
    expect([masked.navigator, masked.rpc, masked.rpcErrors]).toEqual(["undefined", "undefined", "no rpc"]);
  });

  for (const name of Object.keys(CONFIGS) as ConfigName[]) {
    it.each(SERVER_PRESET_NAMES)(`decide on %s as on workerd: ${name}`, (preset) => {
      expect(answers[name][preset]).toEqual(answers[name].workerd);
    });
  }
});
