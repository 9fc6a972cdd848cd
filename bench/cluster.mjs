#!/usr/bin/env node
/**
 * Cluster benchmark: what forwarding costs, and how long an object is away when its holder goes.
 *
 *   npm run build && node bench/cluster.mjs [--calls 2000] [--trials 5]
 *
 * Two replicas of the ledger fixture's node output on one file store, on loopback, each
 * listing both as peers. One holds the object; the same calls go to it directly (the baseline:
 * a local call) and through the other replica (forwarded). Then, with 4 clients writing through
 * the replica that does not hold the object: kill -9 of the holder (the time until a write is
 * acknowledged again) and SIGTERM of the holder (the same, and writes refused meanwhile).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { freePort } from "../test/presets/harness/process.ts";
import { buildLedger, startDotdo } from "./ledger.mjs";

const { values: options } = parseArgs({ options: { calls: { type: "string", default: "2000" }, trials: { type: "string", default: "5" } } });
const CALLS = Number(options.calls);
const TRIALS = Number(options.trials);
const WRITERS = 4;

const scratch = mkdtempSync(join(tmpdir(), "dotdo-bench-cluster-"));
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
const median = (values) => percentile([...values].sort((a, b) => a - b), 50);

const output = buildLedger(scratch);
const ports = [await freePort(), await freePort()];
const env = {
  DOTDO_STORAGE: `file:${join(scratch, "store")}`,
  DOTDO_CLUSTER_SECRET: "the-benchmark-cluster-secret",
  DOTDO_PEERS: ports.map((port) => `http://127.0.0.1:${port}`).join(","),
};
// Their stderr is left out: the kill trials make them log the connections that broke.
const start = (name, port) => startDotdo(output, { ...env, DOTDO_HOLDER: name, DOTDO_ADVERTISE_URL: `http://127.0.0.1:${port}` }, port, "ignore");
const replicas = { a: await start("a", ports[0]), b: await start("b", ports[1]) };
let next = 0;
const add = async (replica, object = "bench") => {
  const response = await fetch(`${replica.url}/add/${object}/${next++}`, { method: "POST" });
  return response.status === 200 ? (await response.json()).by : (await response.arrayBuffer(), null);
};

/** Holder and the other replica of object "bench", by the name the ledger answers with. */
async function roles() {
  const holder = await add(replicas.a);
  return { holder, other: holder === "a" ? "b" : "a" };
}

/**
 * CALLS sequential calls to each replica, alternating (so both see the same machine), after as
 * many to warm up; the latencies in ms, sorted, per replica.
 */
async function timed(call, replicas) {
  const samples = replicas.map(() => []);
  for (let i = 0; i < 2 * CALLS; i++) {
    for (const [n, replica] of replicas.entries()) {
      const started = performance.now();
      await call(replica);
      if (i >= CALLS) samples[n].push(performance.now() - started);
    }
  }
  return samples.map((list) => list.sort((a, b) => a - b));
}

async function read(replica) {
  const response = await fetch(`${replica.url}/all/small`);
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`read: ${response.status}`);
}

async function write(replica) {
  if ((await add(replica)) === null) throw new Error("a write was refused");
}

const rows = [];
let { holder, other } = await roles();
await add(replicas[holder], "small");
for (const [what, call] of [
  ["read (RPC `all()` on a 1-row object)", read],
  ["write (RPC `add()`, stored in the log)", write],
]) {
  const [local, forwarded] = await timed(call, [replicas[holder], replicas[other]]);
  const cells = [local, forwarded].flatMap((samples) => [percentile(samples, 50).toFixed(2), percentile(samples, 99).toFixed(2)]);
  rows.push(`| ${what} | ${cells.join(" | ")} |`);
}

/** WRITERS clients writing through `replica` until stopped: when each write was acknowledged, by whom. */
function writeLoad(replica) {
  let running = true;
  const acknowledged = [];
  let refused = 0;
  const loops = Array.from({ length: WRITERS }, async () => {
    while (running) {
      const by = await add(replica).catch(() => null);
      if (by === null) refused++;
      else acknowledged.push({ at: performance.now(), by });
    }
  });
  return { acknowledged, refused: () => refused, stop: async () => ((running = false), await Promise.all(loops)) };
}

/** Stops the holder under load (`how`), restarts it, and reports the time until writes are acknowledged again. */
async function trial(how) {
  ({ holder, other } = await roles());
  const load = writeLoad(replicas[other]);
  await new Promise((done) => setTimeout(done, 500));
  const stoppedAt = performance.now();
  const port = replicas[holder].port;
  const exited = how === "kill" ? replicas[holder].kill() : replicas[holder].stop();
  while (!load.acknowledged.some((write) => write.at > stoppedAt && write.by === other)) await new Promise((done) => setTimeout(done, 5));
  const servedAgain = load.acknowledged.find((write) => write.at > stoppedAt && write.by === other).at - stoppedAt;
  await exited;
  const exitedAfter = performance.now() - stoppedAt;
  await load.stop();
  replicas[holder] = await start(holder, port);
  return { servedAgain, exitedAfter, refused: load.refused() };
}

const outages = { kill: [], sigterm: [] };
for (let i = 0; i < TRIALS; i++) {
  outages.kill.push(await trial("kill"));
  outages.sigterm.push(await trial("sigterm"));
}
await Promise.all(Object.values(replicas).map((replica) => replica.stop()));

console.log(`Cluster: 2 replicas on loopback, file store, ${CALLS} sequential calls per cell, Node ${process.versions.node}\n`);
console.log("| call | local p50 ms | local p99 ms | forwarded p50 ms | forwarded p99 ms |");
console.log("|---|---:|---:|---:|---:|");
for (const line of rows) console.log(line);
const describe = (list) =>
  `median ${median(list.map((t) => t.servedAgain)).toFixed(0)} ms (each: ${list.map((t) => t.servedAgain.toFixed(0)).join(", ")}), ` +
  `${list.reduce((sum, t) => sum + t.refused, 0)} writes refused in all`;
console.log(`\nkill -9 of the holder under ${WRITERS} writers, until a write is acknowledged again: ${describe(outages.kill)}`);
console.log(`SIGTERM of the holder under ${WRITERS} writers, until the other replica acknowledges a write: ${describe(outages.sigterm)}; the holder exits after a median ${median(outages.sigterm.map((t) => t.exitedAfter)).toFixed(0)} ms`);
process.exit(0);
