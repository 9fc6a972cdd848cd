import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNginx, type Nginx } from "../helpers/nginx";
import { startS3, type S3TestServer } from "../helpers/s3";
import { freePort, type RunningServer } from "../presets/harness/process";
import { buildLedger, killHard, lostWrites, socketLoad, startLedger, writeLoad } from "../reliability/ledger";

const SECRET = "the-replicas-share-this-secret";
const OBJECTS = ["room-0", "room-1", "room-2", "room-3", "room-4", "room-5"];
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

let ledger: Awaited<ReturnType<typeof buildLedger>>;
let s3: S3TestServer;
let nginx: Nginx | undefined;
const running: RunningServer[] = [];

beforeAll(async () => {
  [ledger, s3] = await Promise.all([buildLedger(), startS3("replicas")]);
});
afterAll(async () => {
  await nginx?.close();
  await Promise.all(running.map(killHard));
  await s3?.close();
  ledger?.remove();
});

/**
 * Three (then two, four, three) node-output replicas on one S3 store behind a real nginx,
 * round-robin, as an ingress spreads traffic: HTTP writers and WebSocket clients on six
 * objects, while one replica is killed (kill -9), two are added and one is stopped (SIGTERM).
 */
describe("replicas behind a round-robin proxy", () => {
  it("each object has one holder, its history never forks, and no acknowledged write is lost", async () => {
    const ports = await Promise.all([1, 2, 3, 4].map(() => freePort()));
    const store = {
      DOTDO_STORAGE: `s3://${s3.bucket}/replicas`,
      R2_ENDPOINT: s3.endpoint,
      R2_ACCESS_KEY_ID: s3.accessKeyId,
      R2_SECRET_ACCESS_KEY: s3.secretAccessKey,
    };
    // The static membership list (a headless Service's DNS in Kubernetes); the default 30 s lease.
    const cluster = { ...store, DOTDO_CLUSTER_SECRET: SECRET, DOTDO_PEERS: ports.map((port) => `http://127.0.0.1:${port}`).join(",") };
    const start = async (name: string, port: number) => {
      const server = await startLedger(ledger.dir, { ...cluster, DOTDO_HOLDER: name, DOTDO_ADVERTISE_URL: `http://127.0.0.1:${port}` }, port);
      running.push(server);
      return server;
    };
    const [r1, r2] = await Promise.all([start("r1", ports[0]!), start("r2", ports[1]!), start("r3", ports[2]!)]);
    nginx = await startNginx(ports);

    const writers = OBJECTS.map((name, i) => writeLoad(nginx!.url, name, 3, (i + 1) * 10_000_000));
    const sockets = OBJECTS.flatMap((name, i) => [socketLoad(nginx!.url, name, (i + 1) * 10_000_000 + 5_000_000), socketLoad(nginx!.url, name, (i + 1) * 10_000_000 + 6_000_000)]);
    const events: string[] = [];
    const mark = (event: string) => events.push(`${event} at ${Date.now()}`);
    await sleep(3_000);
    await killHard(r1!);
    mark("kill -9 r1 (3 → 2)");
    await sleep(4_000);
    await Promise.all([start("r4", ports[0]!), start("r5", ports[3]!)]);
    mark("start r4, r5 (2 → 4)");
    await sleep(4_000);
    const stopping = Date.now();
    const stopped = await r2!.stop(30_000); // Kubernetes' default grace period
    mark(`SIGTERM r2 (4 → 3), exited in ${Date.now() - stopping} ms`);
    expect(stopped, r2!.output().slice(-4_000)).toBe(0);
    await sleep(3_000);
    const steadyFrom = Date.now();
    await sleep(3_000);
    await Promise.all([...writers, ...sockets].map((load) => load.stop()));

    // Once membership is settled, every write to an object is served by one replica.
    for (const [i, name] of OBJECTS.entries()) {
      const { acknowledgedAt, servedBy } = writers[i]!;
      const lately = new Set(servedBy.filter((_, n) => acknowledgedAt[n]! > steadyFrom));
      expect(lately.size, `${name} served by ${[...lately]}`).toBe(1);
    }
    // The internal channel is open to the proxy's clients too: unsigned calls are refused.
    expect((await fetch(`${nginx.url}/__dotdo/forward`, { method: "POST", headers: { "x-dotdo-call": "property" } })).status).toBe(401);

    const acknowledged = OBJECTS.map((_, i) => [...writers[i]!.acknowledged, ...sockets[2 * i]!.acknowledged, ...sockets[2 * i + 1]!.acknowledged]);
    const closes = sockets.flatMap((socket) => socket.closeCodes);
    const refused = writers.flatMap((load) => [...load.refused]);
    console.log(
      `replicas: ${acknowledged.flat().length} writes acknowledged (${writers.reduce((sum, load) => sum + load.acknowledged.length, 0)} over HTTP, ` +
        `${sockets.reduce((sum, load) => sum + load.acknowledged.length, 0)} over WebSockets); refused ${JSON.stringify(refused)}; ` +
        `WebSocket closes by code ${JSON.stringify(tally(closes))}; ${events.join(", ")}`,
    );
    expect(sockets.every((socket) => socket.acknowledged.length > 0)).toBe(true);
    // Every socket of the killed and the stopped replica was closed and reconnected.
    expect(closes.length).toBeGreaterThan(0);

    // Then everything stops at once (kill -9), and a fresh replica reads each object from the
    // store: it finds the dead holders' leases, probes them and takes over.
    await nginx.close();
    nginx = undefined;
    await Promise.all(running.map(killHard));
    const reader = { ...store, DOTDO_CLUSTER_SECRET: SECRET, DOTDO_HOLDER: "reader", DOTDO_ADVERTISE_URL: "http://127.0.0.1:9" };
    for (const [i, name] of OBJECTS.entries()) expect(await lostWrites(ledger.dir, reader, acknowledged[i]!, name)).toEqual([]);
  }, 180_000); // about 30 s alone; server starts and S3 slow down when the rest of the suite runs beside it
});

function tally(values: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
