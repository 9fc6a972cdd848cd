import { fork, spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { readFile, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { createFileStore } from "../../src/runtime/storage/file";
import type { Outcome, Task } from "./fixtures/file-worker";
import { tempDirs } from "./temp-dir";

const newDir = tempDirs();
let workerScript: string;

beforeAll(async () => {
  // Worker processes run plain Node, which cannot load the extensionless TypeScript imports
  // of src/: bundle the worker first.
  workerScript = join(await newDir(), "file-worker.mjs");
  await build({
    entryPoints: [join(import.meta.dirname, "fixtures", "file-worker.ts")],
    outfile: workerScript,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    logLevel: "silent",
  });
});

/** Starts one worker per task, releases them together once all are ready, and collects outcomes. */
async function race<T extends Outcome>(tasks: Task[]): Promise<T[]> {
  const children = tasks.map((task) =>
    fork(workerScript, [JSON.stringify(task)], { stdio: ["ignore", "inherit", "inherit", "ipc"] }),
  );
  try {
    await Promise.all(children.map((child) => nextMessage(child)));
    for (const child of children) child.send("go");
    const results = await Promise.all(children.map((child) => nextMessage(child)));
    return results.map((result) => {
      const { outcome, error } = result as { outcome?: T; error?: string };
      if (error !== undefined || outcome === undefined) throw new Error(`worker failed: ${error}`);
      return outcome;
    });
  } finally {
    await Promise.all(children.map(async (child) => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, "exit");
        child.kill();
        await exited;
      }
    }));
  }
}

function nextMessage(child: ChildProcess): Promise<unknown> {
  return Promise.race([
    once(child, "message").then(([message]) => message),
    once(child, "exit").then(([code]) => Promise.reject(new Error(`worker exited with code ${code}`))),
  ]);
}

describe("file store across processes", () => {
  it("lets exactly one of several processes create each key", async () => {
    const root = await newDir();
    const keys = Array.from({ length: 150 }, (_, i) => `race/${i}`);
    const outcomes = await race<Extract<Outcome, { kind: "create" }>>(
      Array.from({ length: 5 }, (_, i) => ({ kind: "create", root, keys, label: `worker-${i}` })),
    );
    const store = await createFileStore(root);
    for (const key of keys) {
      const winners = outcomes.flatMap((outcome, i) => (outcome.won.includes(key) ? [i] : []));
      expect(winners, key).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome.lost.includes(key)), key).toHaveLength(4);
      const stored = await store.get(key);
      expect(new TextDecoder().decode(stored?.body)).toBe(`worker-${winners[0]}`);
    }
  });

  it("loses no update when processes increment one counter with ifMatch", async () => {
    const root = await newDir();
    const store = await createFileStore(root);
    await store.put("counter", new TextEncoder().encode("0"));
    const workers = 4;
    const times = 15;
    await race(Array.from({ length: workers }, () => ({ kind: "increment", root, key: "counter", times })));
    const counter = await store.get("counter");
    expect(new TextDecoder().decode(counter?.body)).toBe(String(workers * times));
  });

  it("never shows a reader part of a file while another process rewrites it", async () => {
    const root = await newDir();
    const store = await createFileStore(root);
    const size = 512 * 1024;
    const fills = ["A", "B", "C", "D"];
    const bodies = Array.from({ length: 24 }, (_, i) => fills[i % fills.length] as string);
    await store.put("big", new TextEncoder().encode("A".repeat(size)));

    let writerDone = false;
    const writer = race([{ kind: "write", root, key: "big", bodies, size }]).finally(() => {
      writerDone = true;
    });
    const seen = new Set<string>();
    let reads = 0;
    const check = (content: string) => {
      expect(content.length).toBe(size);
      const fill = content[0] as string;
      expect(content === fill.repeat(size), `a read mixed ${fill} with other bytes`).toBe(true);
      seen.add(fill);
      reads++;
    };
    while (!writerDone) {
      check(new TextDecoder().decode((await store.get("big"))?.body));
      check(await readFile(join(root, "big"), "latin1"));
    }
    await writer;
    check(new TextDecoder().decode((await store.get("big"))?.body));
    expect(reads).toBeGreaterThan(2);
    expect(seen.has(bodies.at(-1) as string)).toBe(true);
  });

  it("breaks a lock left by a process that died", async () => {
    const root = await newDir();
    const store = await createFileStore({ root, staleLockMs: 60_000 });
    const dead = spawn(process.execPath, ["-e", ""]);
    await once(dead, "exit");
    const lock = join(root, ".dotdo-store", "locks", createHash("sha256").update("k").digest("hex"));
    await writeFile(lock, JSON.stringify({ pid: dead.pid, host: hostname(), nonce: "gone" }));
    // Older than the grace period for dead holders, far younger than the stale limit.
    const recent = new Date(Date.now() - 5_000);
    await utimes(lock, recent, recent);
    await store.put("k", new TextEncoder().encode("v"));
    expect((await store.get("k"))?.body).toEqual(new TextEncoder().encode("v"));
  });

  it("breaks a lock older than the stale limit", async () => {
    const root = await newDir();
    const store = await createFileStore({ root, staleLockMs: 5_000 });
    const lock = join(root, ".dotdo-store", "locks", createHash("sha256").update("k").digest("hex"));
    // Another machine's lock: its process cannot be checked, only its age.
    await writeFile(lock, JSON.stringify({ pid: 1, host: "another-host", nonce: "old" }));
    const past = new Date(Date.now() - 60_000);
    await utimes(lock, past, past);
    await store.delete("k");
    await store.put("k", new TextEncoder().encode("v"), {});
    expect(await store.head("k")).not.toBeNull();
  });
});
