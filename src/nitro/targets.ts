import { errorWithCode } from "../runtime/errors";
import type { RuntimeTarget } from "../plugin/targets";

/** A Nitro preset the module has no runtime for. */
export class UnsupportedNitroPresetError extends errorWithCode("NITRO_PRESET_UNSUPPORTED") {}

/**
 * The dotdo runtime behind each Nitro preset the module serves Durable Objects on. The
 * `nitro-dev` and `nitro-prerender` presets are Nitro's own Node processes (`nitro dev`,
 * prerendering during a build).
 */
const RUNTIMES: Record<string, Exclude<RuntimeTarget, "cloudflare">> = {
  "node-server": "node",
  "node-listener": "node",
  "nitro-dev": "node",
  "nitro-prerender": "node",
  bun: "bun",
  "deno-server": "deno",
  "vercel-edge": "vercel-edge",
};

/** Nitro's cloudflare presets run on workerd, which has Durable Objects itself. */
export function isCloudflarePreset(preset: string): boolean {
  return preset.startsWith("cloudflare");
}

/**
 * The cloudflare presets whose output is a module Worker that can export Durable Object
 * classes; Pages and the service-worker format can only bind to another Worker's.
 */
export function exportsWorkerClasses(preset: string): boolean {
  return preset === "cloudflare-module" || preset === "cloudflare-durable";
}

/** The dotdo runtime for a (non-cloudflare) Nitro preset, or a clear error naming the supported ones. */
export function runtimeFor(preset: string): Exclude<RuntimeTarget, "cloudflare"> {
  const runtime = RUNTIMES[preset];
  if (runtime === undefined) {
    throw new UnsupportedNitroPresetError(
      `dotdo/nitro: Durable Objects are not available on the Nitro preset "${preset}". Supported: ${Object.keys(RUNTIMES).join(", ")}, and the cloudflare presets (natively)`,
    );
  }
  return runtime;
}
