import { spawn } from "node:child_process";
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import type { Readable } from "node:stream";
import { Miniflare, type MiniflareOptions } from "miniflare";
import { join, resolve } from "pathe";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { buildProject } from "../../src/presets/build/index";
import { freePort, startServer, type RunningServer } from "../presets/harness/process";
import { SERVER_COMMANDS, type ServerPresetName } from "../presets/harness/server-commands";

const REPO = resolve(import.meta.dirname, "../..");
const WRANGLER = join(REPO, "node_modules/.bin/wrangler");

/** A running build of an app that keeps its state across `restart()`. */
export interface AppTarget {
  url(): string;
  /** Stops it (cleanly: the server must exit 0) and starts it again on the same state. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** What it logged, for failure messages. */
  output(): string;
}

/**
 * A scratch copy of a vendored app, so that its build command writes nowhere in the repository;
 * its node_modules is the repository's, where the app's npm dependencies are devDependencies.
 */
export function copyApp(fixture: string, scratch: string): string {
  const root = join(scratch, "app");
  cpSync(fixture, root, { recursive: true });
  symlinkSync(join(REPO, "node_modules"), join(root, "node_modules"), "dir");
  return root;
}

/** `dotdo build` of the copy for one preset, as a user runs it (the app's build.command included). */
export async function buildApp(root: string, preset: string, scratch: string): Promise<string> {
  const outDir = join(scratch, preset);
  await buildProject({ root, preset, outDir });
  return outDir;
}

/**
 * workerd runs the cloudflare output as `wrangler dev` would: wrangler reads the generated
 * wrangler.json into Miniflare's options (bindings, migrations, module rules, assets); objects
 * persist in `state/` so that a restart keeps them.
 */
export async function startWorkerd(outDir: string, extra: Partial<MiniflareOptions> = {}): Promise<AppTarget> {
  const { workerOptions, main } = unstable_getMiniflareWorkerOptions(join(outDir, "wrangler.json"));
  const options = {
    ...workerOptions,
    modules: true,
    scriptPath: main,
    modulesRoot: outDir,
    durableObjectsPersist: join(outDir, "state"),
    host: "127.0.0.1",
    port: 0,
    ...extra,
  } as MiniflareOptions;
  let logs = "";
  const start = async () => {
    const mf = new Miniflare({ ...options, handleRuntimeStdio: (out: Readable, err: Readable) => [out, err].forEach((stream) => stream.on("data", (chunk: Buffer) => (logs += chunk.toString()))) });
    return { mf, url: (await mf.ready).toString().replace(/\/$/, "") };
  };
  let running = await start();
  return {
    url: () => running.url,
    async restart() {
      await running.mf.dispose();
      running = await start();
    },
    stop: () => running.mf.dispose(),
    output: () => logs,
  };
}

/** A shim server output started from its output directory, state under `state/`. */
export async function startShim(name: ServerPresetName, outDir: string, env: Record<string, string> = {}): Promise<AppTarget> {
  mkdirSync(join(outDir, "state"), { recursive: true });
  const start = () => {
    const { command, args } = SERVER_COMMANDS[name](join("server", "index.mjs"));
    return startServer(command, args, outDir, { DOTDO_STORAGE: `file:${join(outDir, "state")}`, ...env });
  };
  let server: RunningServer = await start();
  let logs = "";
  const stop = async () => {
    const code = await server.stop();
    logs += server.output();
    if (code !== 0) throw new Error(`${name} exited with ${String(code)}:\n${logs}`);
  };
  return {
    url: () => server.url,
    async restart() {
      await stop();
      server = await start();
    },
    stop,
    output: () => logs + server.output(),
  };
}

/**
 * The cloudflare output under the real `wrangler dev` from node_modules, as `dotdo preview`
 * runs it: local mode, no login, no telemetry, no interactive session, objects persisted under
 * `state/` across a restart. `cf` is the request.cf workerd gets (from a file: wrangler would
 * otherwise fetch one from Cloudflare); without it wrangler's own placeholder, as miniflare's.
 */
export async function startWranglerDev(outDir: string, cf?: object): Promise<AppTarget> {
  const env: Record<string, string> = { WRANGLER_SEND_METRICS: "false", CI: "true", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
  if (cf) {
    writeFileSync(join(outDir, "cf.json"), JSON.stringify(cf));
    Object.assign(env, { CLOUDFLARE_CF_FETCH_ENABLED: "true", CLOUDFLARE_CF_FETCH_PATH: join(outDir, "cf.json") });
  }
  let logs = "";
  const start = async () => {
    const [port, inspector] = [await freePort(), await freePort()];
    const args = ["dev", "--config", "wrangler.json", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector), "--persist-to", "state", "--show-interactive-dev-session=false"];
    // Its own process group, so that stopping it also stops the workerd it starts.
    const child = spawn(WRANGLER, args, { cwd: outDir, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const exited = new Promise<void>((done) => child.once("exit", () => done()));
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`wrangler dev was not ready within 60 s:\n${logs}`)), 60_000);
      let seen = "";
      const read = (chunk: Buffer) => {
        logs += chunk.toString();
        seen += chunk.toString();
        if (seen.includes("Ready on http")) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on("data", read);
      child.stderr.on("data", read);
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`wrangler dev exited:\n${logs}`));
      });
    });
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(-child.pid, "SIGTERM");
      await exited;
    };
    await ready.catch(async (error: unknown) => {
      await stop();
      throw error;
    });
    return { url: `http://127.0.0.1:${port}`, stop };
  };
  let running = await start();
  return {
    url: () => running.url,
    async restart() {
      await running.stop();
      running = await start();
    },
    stop: () => running.stop(),
    output: () => logs,
  };
}
