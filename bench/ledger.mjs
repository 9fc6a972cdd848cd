/**
 * The ledger fixture (test/fixtures/ledger) built with the node preset, and started as server
 * processes: what the durability and cluster benchmarks drive.
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../test/presets/harness/process.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Builds a copy of the ledger in `scratch`; returns its `.output` folder. */
export function buildLedger(scratch) {
  const project = join(scratch, "ledger");
  cpSync(join(root, "test/fixtures/ledger"), project, { recursive: true });
  const result = spawnSync(process.execPath, [join(root, "bin/dotdo.mjs"), "build", "--preset=node", "--root", project], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`dotdo build failed:\n${result.stdout}\n${result.stderr}`);
  return join(project, ".output");
}

/**
 * Starts the built server with `env` (on `port`, else a free one) once it answers its health
 * path; its stderr goes to ours unless `stderr` is "ignore".
 */
export async function startDotdo(output, env, port, stderr = "inherit") {
  port ??= await freePort();
  const child = spawn(process.execPath, [join(output, "server/index.mjs")], {
    env: { DOTDO_HOLDER: "bench", ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "ignore", stderr],
  });
  const exited = new Promise((done) => child.once("exit", done));
  // A benchmark that fails leaves no server behind (its store folder is about to be removed).
  process.once("exit", () => child.kill("SIGKILL"));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (await fetch(`${url}/__dotdo/health`).then((r) => r.ok, () => false)) break;
    await new Promise((done) => setTimeout(done, 50));
  }
  return {
    url,
    port,
    pid: child.pid,
    stop: () => (child.kill("SIGTERM"), exited),
    kill: () => (child.kill("SIGKILL"), exited),
  };
}
