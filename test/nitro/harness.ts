import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { build, copyPublicAssets, createNitro, prepare } from "nitropack";
import type { NitroConfig } from "nitropack/types";
import { join, resolve } from "pathe";
import { expect } from "vitest";

/** A Nitro app whose routes use a counter Durable Object through `event.context.cloudflare.env`. */
export const NITRO_APP = resolve(import.meta.dirname, "../fixtures/nitro-app");

export interface NitroOutput {
  /** Nitro's output directory (`.output` in a project), in a scratch folder away from the repository. */
  dir: string;
  remove(): void;
}

/** Builds the fixture app with Nitro for `preset`, the way `nitro build` does. */
export async function buildNitroApp(preset: string, config: NitroConfig = {}): Promise<NitroOutput> {
  const scratch = mkdtempSync(join(tmpdir(), `dotdo-nitro-${preset}-`));
  const dir = join(scratch, "output");
  const remove = () => rmSync(scratch, { recursive: true, force: true });
  const nitro = await createNitro({ ...config, rootDir: NITRO_APP, preset, dev: false, logLevel: 1, buildDir: join(scratch, ".nitro"), output: { dir } });
  try {
    await prepare(nitro);
    await copyPublicAssets(nitro);
    await build(nitro);
  } catch (error) {
    remove();
    throw error;
  } finally {
    await nitro.close();
  }
  return { dir, remove };
}

export type AppFetch = (path: string, init?: RequestInit) => Promise<Response>;

/** The JSON of a 200 answer; otherwise the failure shows the answer and `log()`. */
export async function json(fetch: AppFetch, path: string, init?: RequestInit, log: () => string = () => ""): Promise<unknown> {
  const response = await fetch(path, init);
  const text = await response.text();
  expect(response.status, `${path}: ${text}\n${log()}`).toBe(200);
  return JSON.parse(text) as unknown;
}

const POST: RequestInit = { method: "POST" };

/**
 * The counter used from Nitro routes: SQL rows and KV entries in one object across requests,
 * and objects by name kept apart. Every preset, workerd included, must answer exactly this.
 */
export async function counterFlow(fetch: AppFetch, name: string, log?: () => string): Promise<void> {
  expect(await json(fetch, `/counter/${name}?by=2&caller=ann`, POST, log)).toEqual({ value: 2, previousCaller: null });
  expect(await json(fetch, `/counter/${name}?by=3&caller=bob`, POST, log)).toEqual({ value: 5, previousCaller: "ann" });
  expect(await json(fetch, `/counter/${name}`, undefined, log)).toEqual({ value: 5 });
  expect(await json(fetch, `/counter/${name}-other`, undefined, log)).toEqual({ value: 0 });
}

/** What `counterFlow` left, read (and written on) after a restart or in another instance. */
export async function counterSurvived(fetch: AppFetch, name: string, log?: () => string): Promise<void> {
  expect(await json(fetch, `/counter/${name}`, undefined, log)).toEqual({ value: 5 });
  expect(await json(fetch, `/counter/${name}?by=10&caller=cy`, POST, log)).toEqual({ value: 15, previousCaller: "bob" });
}
