#!/usr/bin/env node
/**
 * Durability benchmark: acknowledged writes with the output gate on, beside workerd.
 *
 *   npm run build && node bench/durability.mjs [--seconds 5] [--rounds 3]
 *
 * The ledger fixture (test/fixtures/ledger: one INSERT per request) runs as workerd through
 * miniflare (SQLite-backed Durable Objects persisted to disk) and as dotdo's node output on the
 * file store and on S3 (s3rver behind the test proxy that enforces conditional writes, holding
 * every request 20 ms like a cloud store). Both are driven over HTTP by 20 connections, each
 * sending its next write when the previous one is answered: "hot" writes go to one object,
 * "spread" ones to 1,000. workerd and the file store take turns, `--rounds` times, so that the
 * machine's changing load falls on both. The S3 hot row runs with one log append in flight and
 * with four (DOTDO_LOG_WINDOW); the proxy's request log gives the log PUTs, so writes per store write
 * (group commit), and how long they took, and /proc the CPU each process spent per write.
 * Last, one object written 10 times a second on S3 gives the PUTs per second that cost money,
 * priced for S3 and R2.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Miniflare } from "miniflare";
import { createStore } from "../dist/runtime/storage/index.mjs";
import { startS3 } from "../test/helpers/s3.ts";
import { freePort } from "../test/presets/harness/process.ts";
import { buildLedger, startDotdo } from "./ledger.mjs";
import { bundleForWorkerd } from "./workerd.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const { values: options } = parseArgs({ options: { seconds: { type: "string", default: "5" }, rounds: { type: "string", default: "3" } } });
const SECONDS = Number(options.seconds);
const ROUNDS = Number(options.rounds);
const CONNECTIONS = 20;
const SPREAD = 1_000;
/** Prices per PUT: S3 Standard ($0.005 per 1,000) and R2 Class A ($4.50 per million). */
const PRICE = { S3: 0.005 / 1_000, R2: 4.5 / 1_000_000 };
const MONTH_S = 30 * 24 * 3600;

const scratch = mkdtempSync(join(tmpdir(), "dotdo-bench-durability-"));
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));

/** CPU time (ms) process `pid` has used so far, from /proc (clock ticks of 10 ms); NaN where there is none. */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

/** One POST, answered with its status and body: node:http on kept-alive connections costs the machine less CPU than `fetch`. */
function post(agent, url) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent }, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** 20 connections writing for SECONDS; returns writes/s and latency percentiles (ms). */
let next = 0; // write numbers are unique in the whole run: an object's ledger refuses a number twice
async function drive(url, objectOf) {
  // Connections of its own: a server closes those left idle (while the other target runs), and
  // a request sent on one as it does so fails.
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies = [];
  const until = performance.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (performance.now() < until) {
      const n = next++;
      const started = performance.now();
      const { status, body } = await post(agent, `${url}/add/${objectOf(n)}/${n}`);
      if (status !== 200) throw new Error(`write ${n} to ${url}: ${status} ${body}`);
      latencies.push(performance.now() - started);
    }
  }));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { perSecond: latencies.length / SECONDS, writes: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function startWorkerd() {
  const script = await bundleForWorkerd(join(root, "test/fixtures/ledger/src/index.ts"));
  const port = await freePort();
  const mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: "2025-09-01",
    durableObjects: { LEDGER: { className: "Ledger", useSQLite: true } },
    durableObjectsPersist: join(scratch, "workerd-state"),
    host: "127.0.0.1",
    port,
  });
  await mf.ready;
  return { url: `http://127.0.0.1:${port}`, stop: () => mf.dispose() };
}

/**
 * One store round trip as the log sees it, the floor for a write's latency: create-only PUTs of
 * a log entry's size (4 KiB), one after another, through dotdo's own S3 store (as built).
 */
async function storeRoundTrip(s3, count = 100) {
  const store = await createStore({
    kind: "s3",
    bucket: s3.bucket,
    prefix: "floor",
    endpoint: s3.endpoint,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  const latencies = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await store.put(`put-${i}`, new Uint8Array(4096), { ifNoneMatch: "*" });
    latencies.push(performance.now() - started);
  }
  return percentile(latencies.sort((a, b) => a - b), 50);
}

const rows = [];
const row = (target, scenario, result, extra = "") =>
  rows.push(`| ${target} | ${scenario} | ${Math.round(result.perSecond).toLocaleString("en")} | ${result.p50.toFixed(1)} | ${result.p99.toFixed(1)} | ${extra} |`);
const hot = () => "hot";
const spread = (n) => `o${n % SPREAD}`;

const output = buildLedger(scratch);

// workerd and the file store take turns, round after round, so that a change in the machine's
// load (its neighbours') falls on both; each round's spread writes open 1,000 new objects.
const workerd = await startWorkerd();
const file = await startDotdo(output, { DOTDO_STORAGE: `file:${join(scratch, "file-store")}` });
const ratios = { hot: [], spread: [] };
for (let round = 1; round <= ROUNDS; round++) {
  const spreadRound = (n) => `r${round}-${spread(n)}`;
  const scenarios = [["hot", hot, "hot"], ["spread", spreadRound, `spread over ${SPREAD}`]];
  for (const [name, objectOf, label] of scenarios) {
    const theirs = await drive(workerd.url, objectOf);
    const ours = await drive(file.url, objectOf);
    row("workerd (miniflare, SQLite on disk)", `${label}, round ${round}`, theirs);
    row("dotdo node, file store", `${label}, round ${round}`, ours);
    ratios[name].push(ours.perSecond / theirs.perSecond);
  }
}
await Promise.all([workerd.stop(), file.stop()]);

// s3rver shares this machine's two cores with the server under test, where a cloud store's CPU
// is not ours: its files go to memory (tmpfs) where there is one, which halves its CPU per write.
const s3 = await startS3("bench", { latencyMs: 20, parent: existsSync("/dev/shm") ? "/dev/shm" : undefined });
const s3Env = { DOTDO_STORAGE: `s3://${s3.bucket}/durability`, R2_ENDPOINT: s3.endpoint, R2_ACCESS_KEY_ID: s3.accessKeyId, R2_SECRET_ACCESS_KEY: s3.secretAccessKey };
const logPutsSince = (from) => s3.requests.slice(from).filter((r) => r.method === "PUT" && /\/log\/\d{12}$/.test(r.path.split("?")[0]));
const logPuts = () => logPutsSince(0).length;
const floor = await storeRoundTrip(s3);
const cpuLines = [];
/** The hot row on S3 with `window` log appends in flight (DOTDO_LOG_WINDOW). */
async function hotOnS3(window) {
  const server = await startDotdo(output, { ...s3Env, DOTDO_LOG_WINDOW: String(window) });
  await fetch(`${server.url}/add/hot-${window}/-1`, { method: "POST" }); // opens the object: lease, restore, seal
  const from = s3.requests.length;
  // The S3 peer runs on this machine's cores too: what each process spends per write says who bounds the row.
  const cpuBefore = { dotdo: cpuMs(server.pid), s3rver: cpuMs(s3.s3rverPid), self: process.cpuUsage() };
  const result = await drive(server.url, () => `hot-${window}`);
  const self = process.cpuUsage(cpuBefore.self);
  const puts = logPutsSince(from);
  const putMs = percentile(puts.map((r) => r.ms ?? Infinity).sort((a, b) => a - b), 50);
  const perWrite = (ms) => (Number.isNaN(ms) ? "?" : (ms / result.writes).toFixed(2));
  cpuLines.push(
    `- window ${window}: dotdo ${perWrite(cpuMs(server.pid) - cpuBefore.dotdo)} ms, ` +
      `s3rver ${perWrite(cpuMs(s3.s3rverPid) - cpuBefore.s3rver)} ms, ` +
      `this process (the load and the S3 proxy) ${perWrite((self.user + self.system) / 1000)} ms`,
  );
  row(
    `dotdo node, S3 + 20 ms a request, DOTDO_LOG_WINDOW=${window}`,
    "hot",
    result,
    `${(result.writes / puts.length).toFixed(1)} writes per log PUT; the PUTs took ${putMs.toFixed(1)} ms (p50, at the proxy)`,
  );
  await server.stop();
  return result;
}
await hotOnS3(1);
const hotS3 = await hotOnS3(4);

// One object written 10 times a second: the PUTs that cost money, checkpoints included.
const paced = await startDotdo(output, { ...s3Env, DOTDO_CHECKPOINT_INTERVAL_MS: "5000" });
await fetch(`${paced.url}/add/paced/-1`, { method: "POST" });
const putsOf = (pattern) => s3.requests.filter((r) => r.method === "PUT" && pattern.test(r.path.split("?")[0])).length;
const putsBefore = putsOf(/./);
const locksBefore = putsOf(/\/lock$/);
const before = logPuts();
const PACED_SECONDS = 20;
for (let i = 0; i < PACED_SECONDS * 10; i++) {
  const started = performance.now();
  await (await fetch(`${paced.url}/add/paced/${i}`, { method: "POST" })).arrayBuffer();
  await new Promise((done) => setTimeout(done, Math.max(0, 100 - (performance.now() - started))));
}
const puts = putsOf(/./) - putsBefore;
const locks = putsOf(/\/lock$/) - locksBefore;
const log = logPuts() - before;
await paced.stop();
await s3.close();
// Checkpoint PUTs measured with a 5 s interval, scaled to the default 30 s; lease renewals as
// measured (some of them come with each checkpoint, so this overstates them a little).
const checkpointPuts = puts - log - locks;
const otherPerSecond = checkpointPuts / PACED_SECONDS / 6 + locks / PACED_SECONDS;
const perSecond = log / PACED_SECONDS + otherPerSecond;

console.log(`Durability: ${CONNECTIONS} connections, ${SECONDS} s per row, Node ${process.versions.node}\n`);
console.log("| target | writes | writes/s | p50 ms | p99 ms | |");
console.log("|---|---|---:|---:|---:|---|");
for (const line of rows) console.log(line);
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
const percents = (values) => values.map((ratio) => `${Math.round(ratio * 100)}%`).join(", ");
console.log(`\nThe file store's writes/s as a share of workerd's, round by round: hot ${percents(ratios.hot)} (median ${Math.round(median(ratios.hot) * 100)}%), spread ${percents(ratios.spread)} (median ${Math.round(median(ratios.spread) * 100)}%).`);
console.log(`\nCPU per acknowledged write on S3:\n${cpuLines.join("\n")}`);
console.log(`\nOne store round trip on S3 + 20 ms (a 4 KiB create-only PUT, one at a time): p50 ${floor.toFixed(1)} ms; the hot object's p50 is ${(hotS3.p50 / floor).toFixed(1)}x that.`);
console.log(
  `\nOne object written 10 times a second on S3: ${(log / PACED_SECONDS).toFixed(1)} log PUTs/s, ` +
    `${(checkpointPuts / PACED_SECONDS).toFixed(2)} checkpoint PUTs/s with a checkpoint every 5 s ` +
    `and ${(locks / PACED_SECONDS).toFixed(2)} lease PUTs/s; at the default 30 s, ${perSecond.toFixed(1)} PUTs/s: ` +
    `$${(perSecond * MONTH_S * PRICE.S3).toFixed(0)} a month on S3, $${(perSecond * MONTH_S * PRICE.R2).toFixed(0)} on R2.`,
);
process.exit(0);
