import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, expect, it } from "vitest";

let dir: string;
beforeAll(async () => {
  // Inside the repository, so the bundle resolves sql.js's wasm from its node_modules.
  const cache = fileURLToPath(new URL("../../node_modules/.cache/", import.meta.url));
  await mkdir(cache, { recursive: true });
  dir = await mkdtemp(join(cache, "dotdo-signals-"));
  await build({
    entryPoints: [fileURLToPath(new URL("./helpers/signal-entry.ts", import.meta.url))],
    outfile: join(dir, "server.mjs"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    alias: { "cloudflare:workers": fileURLToPath(new URL("../../src/runtime/index.ts", import.meta.url)) },
    // sql.js is CommonJS (require, __dirname): give the ESM bundle those.
    banner: {
      js: 'import { createRequire as __dotdoRequire } from "node:module"; const require = __dotdoRequire(import.meta.url); const __dirname = import.meta.dirname;',
    },
    logLevel: "silent",
  });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Starts the bundled server, makes one write, and returns it with the file its evictions go to. */
async function serverWithOneWrite(evictDelayMs = 0) {
  const evictedFile = join(dir, `evicted-${Math.random().toString(36).slice(2)}.json`);
  const child = spawn(process.execPath, [join(dir, "server.mjs")], {
    env: { ...process.env, EVICTED_FILE: evictedFile, EVICT_DELAY_MS: String(evictDelayMs) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.once("data", (chunk: Buffer) => resolve(/dotdo listening on (\S+)/.exec(chunk.toString())?.[1] ?? ""));
    child.once("exit", (code) => reject(new Error(`server exited early with ${code}`)));
  });
  expect(await (await fetch(`${url}/hit/x`)).json()).toEqual({ count: 1, previous: null });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { child, exited, evicted: async () => JSON.parse(await readFile(evictedFile, "utf8")) as unknown };
}

it("shuts down gracefully on SIGTERM: stops serving, evicts every object through beforeEvict, exits 0", async () => {
  const { child, exited, evicted } = await serverWithOneWrite();
  try {
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(await evicted()).toEqual(["x:1"]);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});

it("finishes that shutdown when more signals arrive during it (Ctrl-C reaches the whole process group)", async () => {
  const { child, exited, evicted } = await serverWithOneWrite(1000);
  try {
    child.kill("SIGTERM");
    // While the final checkpoint (here a slow beforeEvict) is still running.
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill("SIGINT");
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(await evicted()).toEqual(["x:1"]);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});
