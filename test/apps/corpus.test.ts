// Real open-source Worker apps with Durable Objects (test/fixtures/apps, vendored unchanged with
// their licences) built with `dotdo build` for cloudflare, node, bun and deno. workerd runs the
// cloudflare output as `wrangler dev` does; each shim output must give the same answers, HTTP
// and WebSocket, step by step, before and after a restart on its stored state.
import { mkdtempSync, rmSync } from "node:fs";
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
import { type AppTarget, buildApp, copyApp, SERVER_NAMES, type ServerName, startShim, startWorkerd } from "./targets";
import { type Transcript, visit } from "./visit";

const APPS = resolve(import.meta.dirname, "../fixtures/apps");
const CASES: AppCase[] = [helloWorldDo, workersChatDemo, durableChat, multiplayerGlobe, rpcSanity, alarmRestart, githubWebhook, durableObjectsExports];

type TargetName = "workerd" | ServerName;

/** Runs one part of the scenario; a throw is recorded, so that the comparison shows where a target gave out. */
async function play(part: AppCase["before"], target: AppTarget, scrub: (text: string) => string, transcript: Transcript, kept: Map<string, unknown>): Promise<void> {
  try {
    await part(visit(() => target.url(), scrub, transcript, kept));
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
    for (const name of SERVER_NAMES) outDirs[name] = await buildApp(root, name, scratch);
    targets.workerd = await startWorkerd(outDirs.workerd, app.workerd);
    await Promise.all(SERVER_NAMES.map(async (name) => (targets[name] = await startShim(name, outDirs[name]))));
    const names = Object.keys(targets) as TargetName[];
    const scrub = app.scrub ?? ((text: string) => text);
    const kept = Object.fromEntries(names.map((name) => [name, new Map<string, unknown>()]));
    for (const name of names) transcripts[name] = [];
    await Promise.all(names.map((name) => play(app.before, targets[name], scrub, transcripts[name], kept[name]!)));
    await Promise.all(names.map((name) => targets[name].restart().catch((error: unknown) => transcripts[name].push({ restart: String(error) }))));
    await Promise.all(names.map((name) => play(app.after, targets[name], scrub, transcripts[name], kept[name]!)));
  }, 240_000);

  afterAll(async () => {
    await Promise.all(Object.values(targets).map((target) => target.stop().catch(() => {})));
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("workerd answers every step (the reference)", () => {
    expect(JSON.stringify(transcripts.workerd), targets.workerd.output()).not.toMatch(/"received":"nothing"|"threw":|"restart":/);
  });

  for (const name of SERVER_NAMES) {
    const reason = app.expectedFail?.[name];
    (reason ? it.fails : it)(`${name} answers as workerd does, before and after a restart${reason ? ` (expected to fail: ${reason})` : ""}`, () => {
      expect(transcripts[name], targets[name].output()).toEqual(transcripts.workerd);
    });
  }
});
