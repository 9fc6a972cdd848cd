import { readFile } from "node:fs/promises";
import { build } from "esbuild";
import { join, resolve } from "pathe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGatewayHandler } from "../../src/gateway";
import { serveGateway, type NodeGateway } from "../../src/gateway/node";
import { createTokenVerifier } from "../../src/runtime/auth";
import { createFileStore } from "../../src/runtime/storage/file";
import type { ObjectStore } from "../../src/runtime/storage/types";
import { startTestIssuer, tenantClaims, type TestIssuer } from "../auth/helpers/issuer";
import { sentBySdk, startS3, type S3TestServer } from "../helpers/s3";
import { tempDirs } from "../storage/temp-dir";
import { edgeContext, edgeScript, FUNCTION_DIR, startEdgeInstance, type EdgeInstance } from "./harness/edge-runtime";
import type { IncrementalReport } from "./harness/edge-incremental";
import { buildFixture, type BuiltOutput } from "./harness/outputs";

/**
 * The vercel-edge output keeps Durable Object state in storage reached with fetch alone, so it
 * outlives the isolate: each test writes in one EdgeRuntime and reads in a NEW one (a cold
 * isolate) with the same environment. Real peers: the storage gateway (over a file store, JWTs
 * from a local issuer) and S3 (s3rver behind the conditional-write proxy, see test/helpers/s3.ts).
 */
const newDir = tempDirs();
let output: BuiltOutput;
let functionDir: string;
let script: string;
let idp: TestIssuer;
let gateway: NodeGateway;
let bucketRoot: string;
let s3: S3TestServer;
/** Set by a test: the gateway's bucket refuses checkpoint commits (a fault injected behind a real gateway). */
let refuseCommits = false;
/** Keys the gateway's bucket was asked to write, oldest first. */
const bucketPuts: string[] = [];
const instances: EdgeInstance[] = [];

async function isolate(env: Record<string, string>): Promise<EdgeInstance> {
  const instance = await startEdgeInstance(functionDir, script, env);
  instances.push(instance);
  return instance;
}

/** The JSON of a 200 answer; otherwise the failure shows the answer and what the isolate logged. */
async function json(instance: EdgeInstance, path: string, init?: RequestInit): Promise<unknown> {
  const response = await instance.fetch(path, init);
  expect(response.status, `${await response.clone().text()}\n${instance.errors().join("\n")}`).toBe(200);
  return response.json();
}

const POST: RequestInit = { method: "POST" };
const put = (body: unknown): RequestInit => ({ method: "PUT", body: JSON.stringify(body), headers: { "content-type": "application/json" } });

beforeAll(async () => {
  [output, idp, s3, bucketRoot] = await Promise.all([buildFixture("vercel-edge"), startTestIssuer(), startS3(), newDir()]);
  functionDir = join(output.copy, FUNCTION_DIR);
  script = await edgeScript(functionDir);
  const verifier = createTokenVerifier({ issuer: idp.issuer, audience: idp.audience });
  gateway = await serveGateway(createGatewayHandler({ store: refusingCommits(await createFileStore(bucketRoot)), verifier }));
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.close()));
  await gateway?.close();
  await idp?.close();
  await s3?.close();
  output?.remove();
});

function refusingCommits(bucket: ObjectStore): ObjectStore {
  return {
    url: bucket.url,
    get: (key, options) => bucket.get(key, options),
    head: (key) => bucket.head(key),
    delete: (key) => bucket.delete(key),
    list: (prefix, options) => bucket.list(prefix, options),
    put(key, body, options) {
      bucketPuts.push(key);
      return refuseCommits && key.includes("/snapshots/commits/") ? Promise.reject(new Error("the bucket refuses commits")) : bucket.put(key, body, options);
    },
  };
}

/** Writes SQL rows and KV entries in one isolate, then reads them in a cold one and writes on. */
async function survivesColdStart(env: Record<string, string>, name: string): Promise<EdgeInstance> {
  const first = await isolate(env);
  expect(await json(first, `/counter/${name}?by=2`, POST)).toEqual({ value: 2 });
  expect(await json(first, `/counter/${name}?by=3`, POST)).toEqual({ value: 5 });
  expect(await json(first, `/notes/${name}/b`, put({ n: 2 }))).toEqual({ stored: true, count: 1 });
  expect(await json(first, `/notes/${name}/a`, put([1]))).toEqual({ stored: true, count: 2 });

  const cold = await isolate(env);
  expect(await json(cold, `/counter/${name}`)).toMatchObject({ value: 5 });
  expect(await json(cold, `/notes/${name}`)).toEqual([
    { key: "a", value: [1], dateKept: true, setKept: true },
    { key: "b", value: { n: 2 }, dateKept: true, setKept: true },
  ]);
  // The cold isolate writes on from the restored state; the first one, still alive, sees it
  // too: no isolate keeps an object (or its lease) between requests.
  expect(await json(cold, `/counter/${name}?by=10`, POST)).toEqual({ value: 15 });
  expect(await json(first, `/counter/${name}`)).toMatchObject({ value: 15 });
  expect([...first.errors(), ...cold.errors()]).toEqual([]);
  return first;
}

describe("vercel-edge: state outlives the isolate", () => {
  it("through the storage gateway, holding only a JWT", async () => {
    const env = { JWT_TOKEN: await idp.sign(tenantClaims("edge")), DOTDO_GATEWAY_URL: gateway.url };
    const instance = await survivesColdStart(env, "via-gateway");

    // The state is Iceberg snapshots in the gateway's bucket, under the token's tenant, and
    // every lease was given back after its request.
    const counter = (await json(instance, "/ids/via-gateway")) as { id: string };
    const objectRoot = join(bucketRoot, "apps/prod/org=acme/tenant=edge/do", counter.id);
    // The latest hint: a copy of commit 3 (then its checksum and the small image).
    const hint = await readFile(join(objectRoot, "snapshots/latest"), "utf8");
    expect(JSON.parse(hint.slice(0, hint.indexOf("\n")))).toMatchObject({ sequence: 3 });
    expect(JSON.parse(await readFile(join(objectRoot, "lock"), "utf8"))).toMatchObject({ expiresAt: 0 });

    // A read-only request in a cold isolate writes the lease (taken, given back) and the seal
    // of the object's log, which fences any earlier holder before this one serves.
    const before = bucketPuts.length;
    expect(await json(await isolate(env), "/counter/via-gateway")).toMatchObject({ value: 15 });
    const keys = bucketPuts.slice(before).map((key) => key.slice(key.lastIndexOf(`${counter.id}/`) + counter.id.length + 1));
    expect(keys).toHaveLength(3);
    expect(keys[0]).toBe("lock");
    expect(keys[1]).toMatch(/^log\/\d{12}$/);
    expect(keys[2]).toBe("lock");
  });

  it("answers 503 when a request's changes cannot be stored, and stores them with the next checkpoint that can", async () => {
    const env = { JWT_TOKEN: await idp.sign(tenantClaims("edge")), DOTDO_GATEWAY_URL: gateway.url };
    const instance = await isolate(env);
    expect(await json(instance, "/counter/faulty?by=1", POST)).toEqual({ value: 1 });
    refuseCommits = true;
    try {
      const refused = await instance.fetch("/counter/faulty?by=1", POST);
      expect(refused.status).toBe(503);
      expect(await refused.text()).toMatch(/^dotdo: this request's changes could not be stored: .+/);
      expect(instance.errors().join("\n")).toContain("could not be stored");
    } finally {
      refuseCommits = false;
    }
    // The object kept the change (and its lease) in memory; the next request stores both.
    expect(await json(instance, "/counter/faulty?by=1", POST)).toEqual({ value: 3 });
    expect(await json(await isolate(env), "/counter/faulty")).toMatchObject({ value: 3 });
  });

  it("through S3, with the AWS SDK's fetch-based build", async () => {
    await survivesColdStart(
      {
        DOTDO_STORAGE: `s3://${s3.bucket}/edge`,
        R2_ENDPOINT: s3.endpoint,
        R2_ACCESS_KEY_ID: s3.accessKeyId,
        R2_SECRET_ACCESS_KEY: s3.secretAccessKey,
      },
      "via-s3",
    );
    // The store was checked for conditional writes before its first write, through the proxy.
    expect(s3.requests.some((request) => request.path.includes("/edge/.dotdo-probe/") && request.headers["if-none-match"] === "*")).toBe(true);
    // The object's puts went out direct through the fetch handler, each answered at the first try.
    const puts = s3.requests.filter((request) => request.method === "PUT" && request.path.includes("/edge/do/"));
    expect(puts.length).toBeGreaterThan(0);
    expect(puts.filter(sentBySdk)).toEqual([]);
    expect(s3.requests.some((request) => request.method === "GET" && sentBySdk(request))).toBe(true);
  });

  it("answers every request with a 500 naming the settings when no storage is configured", async () => {
    const instance = await isolate({});
    for (const path of ["/counter/nowhere", "/vars"]) {
      const response = await instance.fetch(path);
      expect(response.status).toBe(500);
      const text = await response.text();
      expect(text).toContain("DOTDO_STORAGE");
      expect(text).toContain("JWT_TOKEN + DOTDO_GATEWAY_URL");
      expect(text).toContain("memory:");
    }
    expect(instance.errors()).toEqual([expect.stringContaining("StorageNotConfiguredError")]);
  });

  it("refuses a folder as storage: an edge isolate has no lasting disk", async () => {
    const instance = await isolate({ DOTDO_STORAGE: "file:/var/dotdo" });
    const response = await instance.fetch("/counter/folder");
    expect(response.status).toBe(500);
    expect(await response.text()).toMatch(/no lasting disk.*"\/var\/dotdo"/);
  });

  it("keeps objects in the isolate's memory only when DOTDO_STORAGE=memory: says so", async () => {
    const env = { DOTDO_STORAGE: "memory:" };
    const first = await isolate(env);
    expect(await json(first, "/counter/mem?by=4", POST)).toEqual({ value: 4 });
    expect(await json(first, "/counter/mem")).toMatchObject({ value: 4 });
    expect(await json(await isolate(env), "/counter/mem")).toMatchObject({ value: 0 });
  });
});

describe("incremental checkpoints on the edge, where SQLite's update hook cannot be registered", () => {
  it("writes only the data file whose rows changed, found by fingerprint", async () => {
    const bundle = await build({
      entryPoints: [resolve(import.meta.dirname, "harness/edge-incremental.ts")],
      bundle: true,
      format: "iife",
      platform: "browser",
      target: "es2022",
      write: false,
      logLevel: "silent",
    });
    const runtime = edgeContext(join(functionDir, "sql-wasm.wasm"));
    runtime.evaluate(bundle.outputFiles[0]?.text ?? "");
    const report = JSON.parse(await (runtime.evaluate("runIncremental()") as Promise<string>)) as IncrementalReport;
    expect(report.insertUnattributed).toBe(true);
    // Every table counts as changed, so both get a new Iceberg snapshot; but of 5 files of
    // 1000 rows only the one holding row 2500 is written again, and none of `small`.
    expect(report.tablesWritten.sort()).toEqual(["big", "small"]);
    expect(report.dataFiles).toEqual([expect.stringMatching(/^big-\d+\.parquet$/)]);
    expect(report).toMatchObject({ restoredRows: 5000, restoredValue: "changed" });
  });
});
