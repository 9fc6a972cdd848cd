#!/usr/bin/env node
/**
 * Build benchmark: per preset, build time, gzipped output size, and (for local server targets)
 * time from process start to the first response on an object restored from storage.
 *
 *   npm run build && node bench/presets.mjs
 *
 * Built from dist/, as a user's `npx dotdo build` runs. The Cloudflare baseline is the bundle
 * wrangler itself makes (esbuild, ESM, cloudflare:* external): wrangler is not installed here,
 * so `wrangler deploy --dry-run` cannot be timed in the same run.
 */
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const { buildProject } = await import(join(root, "dist/presets/index.mjs"));
const scratch = mkdtempSync(join(tmpdir(), "dotdo-bench-presets-"));
const ROUNDS = 3;
const PRESETS = ["cloudflare", "node", "vercel-edge", "vercel", "bun", "deno", "docker", "k8s", "fly", "render", "railway"];
const SERVERS = {
  node: [process.execPath],
  bun: [join(root, "node_modules/.bin/bun")],
  deno: [join(root, "node_modules/.bin/deno"), "run", "--allow-env", "--allow-net", "--allow-read", "--allow-write", "--allow-sys=hostname"],
};

/** The smallest Worker with a Durable Object: one counter in SQL. */
function helloWorld() {
  const dir = join(scratch, "hello");
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "wrangler.json"), JSON.stringify({ name: "hello", main: "src/index.js", durable_objects: { bindings: [{ name: "HELLO", class_name: "Hello" }] } }));
  writeFileSync(
    join(dir, "src/index.js"),
    `import { DurableObject } from "cloudflare:workers";
export class Hello extends DurableObject {
  hit() {
    this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS hits (n INTEGER)");
    this.ctx.storage.sql.exec("INSERT INTO hits VALUES (1)");
    return this.ctx.storage.sql.exec("SELECT count(*) AS n FROM hits").one().n;
  }
}
export default { fetch: async (request, env) => Response.json({ hits: await env.HELLO.getByName("hello").hit() }) };
`,
  );
  return dir;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

/** Bytes of every file, of the JS, and of the entry module alone (chunks load on demand). */
function sizes(dir, entry) {
  const entryGzip = gzipSync(readFileSync(join(dir, entry))).length;
  let js = 0;
  let jsGzip = 0;
  let all = 0;
  let allGzip = 0;
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const bytes = readFileSync(path);
        const gz = gzipSync(bytes).length;
        all += bytes.length;
        allGzip += gz;
        if (/\.m?js$/.test(name)) {
          js += bytes.length;
          jsGzip += gz;
        }
      }
    }
  };
  walk(dir);
  return { entryGzip, js, jsGzip, all, allGzip };
}

async function freePort() {
  const server = createServer();
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address();
  await new Promise((done) => server.close(done));
  return port;
}

/** Starts the server, times start → first 200 from the object, stops it with SIGTERM. */
async function firstResponseMs(command, cwd, state) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(command[0], [...command.slice(1), "server/index.mjs"], {
    cwd,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", DOTDO_STORAGE: `file:${state}` },
    stdio: "ignore",
  });
  let ms;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    const ok = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false);
    if (ok) {
      ms = performance.now() - started;
      break;
    }
    await new Promise((done) => setTimeout(done, 5));
  }
  const exited = new Promise((done) => child.once("exit", done));
  child.kill("SIGTERM");
  await exited;
  return ms;
}

async function benchProject(label, projectRoot) {
  console.log(`\n${label}`);
  console.log(`${"preset".padEnd(12)} ${"build (median)".padStart(15)} ${"entry gzip".padStart(11)} ${"all JS gzip".padStart(12)} ${"all gzip".padStart(10)} ${"cold start + restore".padStart(22)}`);
  for (const preset of PRESETS) {
    const times = [];
    let result;
    for (let round = 0; round < ROUNDS; round++) {
      const outDir = join(scratch, `${label}-${preset}`);
      const t0 = performance.now();
      result = await buildProject({ root: projectRoot, preset, outDir });
      times.push(performance.now() - t0);
    }
    const size = sizes(result.outDir, result.manifest.entry);
    let cold = "";
    if (SERVERS[preset]) {
      const copy = join(scratch, `${label}-${preset}-copy`);
      rmSync(copy, { recursive: true, force: true });
      cpSync(result.outDir, copy, { recursive: true });
      const state = join(copy, "state");
      await firstResponseMs(SERVERS[preset], copy, state); // first run creates the object and checkpoints it on SIGTERM
      cold = `${median([await firstResponseMs(SERVERS[preset], copy, state), await firstResponseMs(SERVERS[preset], copy, state), await firstResponseMs(SERVERS[preset], copy, state)]).toFixed(0)} ms`;
    }
    console.log(`${preset.padEnd(12)} ${`${median(times).toFixed(0)} ms`.padStart(15)} ${kb(size.entryGzip).padStart(11)} ${kb(size.jsGzip).padStart(12)} ${kb(size.allGzip).padStart(10)} ${cold.padStart(22)}`);
  }
  const baseline = [];
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = performance.now();
    await build({ entryPoints: [JSON.parse(readFileSync(join(projectRoot, "wrangler.json"), "utf8")).main].map((m) => join(projectRoot, m)), bundle: true, format: "esm", platform: "neutral", external: ["cloudflare:*"], write: false, logLevel: "silent" });
    baseline.push(performance.now() - t0);
  }
  console.log(`${"(baseline)".padEnd(12)} ${`${median(baseline).toFixed(0)} ms`.padStart(15)}  wrangler's own bundling step (esbuild, cloudflare:* external), in-process`);
}

try {
  await benchProject("hello-world DO Worker", helloWorld());
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
