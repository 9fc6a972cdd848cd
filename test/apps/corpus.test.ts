// Real open-source Worker apps with Durable Objects (test/fixtures/apps, vendored unchanged with
// their licences) built with `dotdo build` for cloudflare, node, bun and deno. workerd runs the
// cloudflare output as `wrangler dev` does (wrangler's config reader into miniflare: the
// reference); the real `wrangler dev` CLI runs it too, and it and each shim output must give the
// same answers, HTTP and WebSocket, step by step, before and after a restart on its stored state.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "pathe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppCase } from "./case";
import { alarmRestart } from "./cases/alarm-restart";
import { durableChat } from "./cases/durable-chat";
import { durableObjectsExports } from "./cases/durable-objects-exports";
import { githubWebhook } from "./cases/github-webhook";
import { helloWorldDo } from "./cases/hello-world-do";
import { multiplayerGlobe } from "./cases/multiplayer-globe";
import { rpcSanity } from "./cases/rpc-sanity";
import { workersChatDemo } from "./cases/workers-chat-demo";
import { SERVER_PRESET_NAMES, type ServerPresetName } from "../presets/harness/server-commands";
import { type AppTarget, buildApp, copyApp, startShim, startWorkerd, startWranglerDev } from "./targets";
import { type Transcript, type Visit, visit } from "./visit";

const APPS = resolve(import.meta.dirname, "../fixtures/apps");
const CASES: AppCase[] = [helloWorldDo, workersChatDemo, durableChat, multiplayerGlobe, rpcSanity, alarmRestart, githubWebhook, durableObjectsExports];

type TargetName = "workerd" | "wrangler" | ServerPresetName;

/** Runs one part of the scenario; a throw is recorded, so that the comparison shows where a target gave out. */
async function play(part: AppCase["before"], on: Visit, transcript: Transcript): Promise<void> {
  try {
    await part(on);
  } catch (error) {
    transcript.push({ threw: String(error) });
  }
}

describe.each(CASES)("$name", (app) => {
  const transcripts = {} as Record<TargetName, Transcript>;
  const targets = {} as Record<TargetName, AppTarget>;
  let scratch: string;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), `dotdo-app-${app.name}-`));
    const root = copyApp(join(APPS, app.name), scratch);
    const outDirs = {} as Record<TargetName, string>;
    outDirs.workerd = await buildApp(root, "cloudflare", scratch);
    for (const name of SERVER_PRESET_NAMES) outDirs[name] = await buildApp(root, name, scratch);
    // wrangler dev gets a copy: it writes its own files (.wrangler/, state/) next to the config.
    outDirs.wrangler = join(scratch, "wrangler");
    cpSync(outDirs.workerd, outDirs.wrangler, { recursive: true });
    targets.workerd = await startWorkerd(outDirs.workerd, app.workerd);
    targets.wrangler = await startWranglerDev(outDirs.wrangler, app.workerd?.cf as object | undefined);
    await Promise.all(SERVER_PRESET_NAMES.map(async (name) => (targets[name] = await startShim(name, outDirs[name]))));
    const names = Object.keys(targets) as TargetName[];
    const scrub = app.scrub ?? ((text: string) => text);
    for (const name of names) transcripts[name] = [];
    // One visit per target for both parts, so that what the scenario keeps crosses the restart.
    const visits = Object.fromEntries(names.map((name) => [name, visit(() => targets[name].url(), scrub, transcripts[name])])) as Record<TargetName, Visit>;
    await Promise.all(names.map((name) => play(app.before, visits[name], transcripts[name])));
    await Promise.all(names.map((name) => targets[name].restart().catch((error: unknown) => transcripts[name].push({ restart: String(error) }))));
    await Promise.all(names.map((name) => play(app.after, visits[name], transcripts[name])));
  }, 240_000);

  afterAll(async () => {
    await Promise.all(Object.values(targets).map((target) => target.stop().catch(() => {})));
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("workerd answers every step (the reference)", () => {
    expect(JSON.stringify(transcripts.workerd), targets.workerd.output()).not.toMatch(/"received":"nothing"|"threw":|"restart":/);
  });

  it("the cloudflare output answers in `wrangler dev` as in workerd", () => {
    expect(transcripts.wrangler, targets.wrangler.output()).toEqual(transcripts.workerd);
  });

  it.each(SERVER_PRESET_NAMES)("%s answers as workerd does, before and after a restart", (name) => {
    expect(transcripts[name], targets[name].output()).toEqual(transcripts.workerd);
  });
});
