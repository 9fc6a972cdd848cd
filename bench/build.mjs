#!/usr/bin/env node
/**
 * Build benchmark: `dotdo build` per preset, with `wrangler deploy --dry-run` on the same project
 * as the baseline for `cloudflare`; gzipped output sizes; and time from process start to first
 * response for each local target, including a cold start that restores an object from the store.
 *
 *   npm run build && node bench/build.mjs [--runs 5]
 *
 * Builds are timed as users run them: the `dotdo` CLI (from dist/) and the wrangler CLI, each a
 * fresh process, interleaved run by run so machine load hits both alike. Both are then run once
 * more without network (`unshare -n`, where this process may create a network namespace) to
 * prove neither needs it; timing runs keep the network, because cutting it slows wrangler down.
 * Figures are medians.
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { Miniflare } from "miniflare";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = join(root, "bin/dotdo.mjs");
const wrangler = join(root, "node_modules/.bin/wrangler");
const bins = { bun: join(root, "node_modules/.bin/bun"), deno: join(root, "node_modules/.bin/deno") };
const DENO_PERMISSIONS = ["--allow-env", "--allow-net", "--allow-read", "--allow-write", "--allow-sys=hostname"];
const PRESETS = ["cloudflare", "node", "vercel-edge", "vercel", "bun", "deno", "docker", "k8s", "fly", "render", "railway"];
/** Visits written before the restore runs: a small object (one table, a few rows). */
const SEEDED_VISITS = 20;

const { values: options } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const RUNS = Number(options.runs);

if (!existsSync(join(root, "dist/cli/index.mjs"))) {
  console.error("dist/ is missing: run `npm run build` first (the benchmark times the CLI users run).");
  process.exit(1);
}

const scratch = mkdtempSync(join(tmpdir(), "dotdo-bench-build-"));
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));
const projects = {};
for (const fixture of ["app", "hello"]) {
  projects[fixture] = join(scratch, fixture);
  cpSync(join(root, "test/fixtures", fixture), projects[fixture], { recursive: true, filter: (source) => !/[\\/]\.(output|vercel|wrangler|dotdo)$/.test(source) });
}

/** Runs a command to completion and returns its wall time in ms; `offline` cuts its network. */
function timeCommand(command, args, cwd, offline = false) {
  const [bin, argv] = offline ? ["unshare", ["-n", command, ...args]] : [command, args];
  const started = performance.now();
  const result = spawnSync(bin, argv, { cwd, encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" } });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const outDir = (fixture, preset) => join(scratch, "out", fixture, preset);
const dotdoBuild = (fixture, preset, offline) => timeCommand(process.execPath, [cli, "build", `--preset=${preset}`, "--root", projects[fixture], "--outDir", outDir(fixture, preset)], projects[fixture], offline);
const wranglerDryRun = (fixture, offline) => timeCommand(wrangler, ["deploy", "--dry-run", "--outdir", outDir(fixture, "wrangler")], projects[fixture], offline);

// 0. Neither build may need the network: both run once in a network namespace of their own.
const canIsolate = spawnSync("unshare", ["-n", "true"]).status === 0;
if (canIsolate) {
  dotdoBuild("app", "cloudflare", true);
  wranglerDryRun("app", true);
}
const offlineNote = canIsolate ? "both builds also ran without network (unshare -n)" : "not checked without network (unshare -n needs root)";

// 1. Build time per preset (app fixture), wrangler interleaved with the cloudflare builds.
const times = Object.fromEntries([...PRESETS, "wrangler"].map((name) => [name, []]));
const helloTimes = { cloudflare: [], wrangler: [] };
dotdoBuild("app", "node"); // warm the file cache once, for both tools alike
wranglerDryRun("app");
for (let run = 0; run < RUNS; run++) {
  for (const preset of PRESETS) {
    times[preset].push(dotdoBuild("app", preset));
    if (preset === "cloudflare") times.wrangler.push(wranglerDryRun("app"));
  }
  helloTimes.cloudflare.push(dotdoBuild("hello", "cloudflare"));
  helloTimes.wrangler.push(wranglerDryRun("hello"));
}
for (const preset of PRESETS) if (preset !== "cloudflare") dotdoBuild("hello", preset);

// 2. Gzipped sizes of what each output ships.
function filesUnder(dir) {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).map((file) => join(dir, file)).filter((file) => statSync(file).isFile());
}
function sizes(dir) {
  const out = { js: 0, wasm: 0, total: 0 };
  for (const file of filesUnder(dir)) {
    if (file.endsWith(".map") || file.endsWith("README.md")) continue;
    const gz = gzipSync(readFileSync(file)).length;
    out.total += gz;
    if (/\.m?js$/.test(file)) out.js += gz;
    if (file.endsWith(".wasm")) out.wasm += gz;
  }
  return out;
}

/** Gzipped JS the entry loads before serving: itself and its static imports (esbuild writes them as top-level lines). */
function startupJs(dir, entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const [, specifier] of readFileSync(file, "utf8").matchAll(/^import\s(?:[^;]*?\sfrom\s)?"(\.{1,2}\/[^"]+\.m?js)";?$/gm)) visit(join(file, "..", specifier));
  };
  visit(join(dir, entry));
  return [...seen].reduce((sum, file) => sum + gzipSync(readFileSync(file)).length, 0);
}

// 3. Process start to first response: the hello fixture's outputs, empty and restoring a small object.
async function freePort() {
  const server = createServer();
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address();
  await new Promise((done) => server.close(done));
  return port;
}

/** Starts a server, polls `GET /bench` every 5 ms, and returns ms from spawn to the first 200 with its body. */
async function firstResponse(command, args, cwd, storage) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(command, args, { cwd, env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", DOTDO_STORAGE: `file:${storage}` }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise((done) => child.once("exit", (code) => done(code)));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${command} exited ${child.exitCode}: ${stderr}`);
      const response = await fetch(`http://127.0.0.1:${port}/bench`).catch(() => null);
      if (response?.ok) return { ms: performance.now() - started, body: await response.json() };
      if (performance.now() - started > 30_000) throw new Error(`${command} gave no response within 30 s: ${stderr}`);
      await new Promise((done) => setTimeout(done, 5));
    }
  } finally {
    child.kill("SIGTERM");
    if ((await exited) !== 0) console.warn(`${command} did not exit 0 on SIGTERM: ${stderr}`);
  }
}

const serverCommands = {
  node: (entry) => [process.execPath, [entry]],
  bun: (entry) => [bins.bun, [entry]],
  deno: (entry) => [bins.deno, ["run", ...DENO_PERMISSIONS, entry]],
};

async function seedStore() {
  const store = join(scratch, "seed");
  const port = await freePort();
  const child = spawn(process.execPath, ["server/index.mjs"], { cwd: outDir("hello", "node"), env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", DOTDO_STORAGE: `file:${store}` }, stdio: "ignore" });
  const exited = new Promise((done) => child.once("exit", done));
  for (let ready = false, started = performance.now(); !ready; ) {
    if (child.exitCode !== null || performance.now() - started > 30_000) {
      child.kill("SIGKILL");
      throw new Error("the node output did not become healthy for seeding");
    }
    ready = await fetch(`http://127.0.0.1:${port}/__dotdo/health`).then((r) => r.ok, () => new Promise((done) => setTimeout(() => done(false), 20)));
  }
  for (let i = 0; i < SEEDED_VISITS; i++) await fetch(`http://127.0.0.1:${port}/bench`, { method: "POST" });
  child.kill("SIGTERM"); // the final checkpoint writes the object to the store
  await exited;
  return store;
}

const seed = await seedStore();
const coldStarts = {};
for (const [runtime, command] of Object.entries(serverCommands)) {
  for (const mode of ["empty", "restore"]) {
    const samples = [];
    for (let run = 0; run < RUNS; run++) {
      const storage = join(scratch, "stores", `${runtime}-${mode}-${run}`);
      mkdirSync(storage, { recursive: true });
      if (mode === "restore") cpSync(seed, storage, { recursive: true });
      const [bin, args] = command("server/index.mjs");
      const { ms, body } = await firstResponse(bin, args, outDir("hello", runtime), storage);
      const expected = mode === "restore" ? SEEDED_VISITS : 0;
      if (body.visits !== expected) throw new Error(`${runtime} ${mode}: expected ${expected} visits, got ${JSON.stringify(body)}`);
      samples.push(ms);
    }
    coldStarts[`${runtime} (${mode === "empty" ? "new object" : `restores ${SEEDED_VISITS} rows`})`] = samples;
  }
}

// The runtimes' own start, as a floor: an empty script from spawn to exit.
const emptyScripts = { node: [process.execPath, ["-e", ""]], bun: [bins.bun, ["-e", ""]], deno: [bins.deno, ["eval", ""]] };
const bareStarts = {};
for (const [runtime, [bin, args]] of Object.entries(emptyScripts)) {
  bareStarts[runtime] = [];
  for (let run = 0; run < RUNS; run++) bareStarts[runtime].push(timeCommand(bin, args, scratch));
}

// workerd through miniflare, in this process: construction (spawns workerd) to first response.
const workerdSamples = [];
const wranglerJson = JSON.parse(readFileSync(join(outDir("hello", "cloudflare"), "wrangler.json"), "utf8"));
for (let run = 0; run < RUNS; run++) {
  const started = performance.now();
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(outDir("hello", "cloudflare"), wranglerJson.main),
    modulesRoot: outDir("hello", "cloudflare"),
    compatibilityDate: wranglerJson.compatibility_date,
    durableObjects: Object.fromEntries(wranglerJson.durable_objects.bindings.map((b) => [b.name, { className: b.class_name, useSQLite: true }])),
  });
  const response = await mf.dispatchFetch("http://localhost/bench");
  await response.json();
  workerdSamples.push(performance.now() - started);
  await mf.dispose();
}
coldStarts["workerd via miniflare (cloudflare output, new object)"] = workerdSamples;

// Report.
const ms = (x) => `${Math.round(x)} ms`;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const load = loadavg().map((x) => x.toFixed(1)).join(" ");
console.log(`\nNode ${process.version}, ${RUNS} runs per figure (medians), load average ${load}, ${offlineNote}\n`);

console.log("### Build time (test/fixtures/app, CLI process start to exit)\n");
console.log("| preset | dotdo build | baseline |\n|---|---|---|");
for (const preset of PRESETS) {
  const baseline = preset === "cloudflare" ? `wrangler deploy --dry-run: ${ms(median(times.wrangler))}` : "";
  console.log(`| ${preset} | ${ms(median(times[preset]))} | ${baseline} |`);
}
console.log(`| cloudflare (hello fixture) | ${ms(median(helloTimes.cloudflare))} | wrangler deploy --dry-run: ${ms(median(helloTimes.wrangler))} |`);

console.log("\n### Output size, gzipped per file (JavaScript / sql.js wasm / everything written)\n");
console.log("| preset | app: JS | app: JS at start | app: wasm | app: total | hello: JS at start | hello: total |\n|---|---|---|---|---|---|---|");
for (const preset of [...PRESETS, "wrangler"]) {
  const [app, hello] = [sizes(outDir("app", preset)), sizes(outDir("hello", preset))];
  const entry = preset === "wrangler" ? "index.js" : JSON.parse(readFileSync(join(outDir("app", preset), "dotdo.json"), "utf8")).entry;
  const name = preset === "wrangler" ? "wrangler's own build (baseline)" : preset;
  const [appStart, helloStart] = [startupJs(outDir("app", preset), entry), startupJs(outDir("hello", preset), entry)];
  console.log(`| ${name} | ${kb(app.js)} | ${kb(appStart)} | ${kb(app.wasm)} | ${kb(app.total)} | ${kb(helloStart)} | ${kb(hello.total)} |`);
}

console.log("\n### Process start to first response (hello fixture, `GET /bench` through the Durable Object)\n");
console.log("| target | first response (median) | fastest run |\n|---|---|---|");
for (const [target, samples] of Object.entries(coldStarts)) console.log(`| ${target} | ${ms(median(samples))} | ${ms(Math.min(...samples))} |`);
for (const [runtime, samples] of Object.entries(bareStarts)) console.log(`| baseline: ${runtime} running an empty script, start to exit | ${ms(median(samples))} | ${ms(Math.min(...samples))} |`);

const cfGoal = median(times.cloudflare) <= median(times.wrangler);
const sizeGoal = sizes(outDir("hello", "cloudflare")).total < 50 * 1024;
const coldGoal = median(coldStarts[`node (restores ${SEEDED_VISITS} rows)`]) < 300;
console.log(`\nGoals: cloudflare build no slower than wrangler's: ${cfGoal ? "met" : "NOT met"}; hello-world DO Worker under 50 KB gzipped (cloudflare output): ${sizeGoal ? "met" : "NOT met"}; node cold start with restore under 300 ms: ${coldGoal ? "met" : "NOT met"}`);
