import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ObjectPersistence } from "../../src/runtime/persistence/object-persistence";
import { createFileStore } from "../../src/runtime/storage/file";
import { buildWriter, removeWriter, startWriter, type Writer } from "./child-process";
import { openDatabase } from "./sqlite";

const dirs: string[] = [];
const running: Writer[] = [];

function tempStore(): string {
  const dir = mkdtempSync(join(tmpdir(), "dotdo-persistence-"));
  dirs.push(dir);
  return dir;
}

function start(...args: Parameters<typeof startWriter>): Writer {
  const writer = startWriter(...args);
  running.push(writer);
  return writer;
}

async function kill(writer: Writer): Promise<void> {
  writer.child.kill("SIGKILL");
  await writer.exited;
}

async function restoreRows(root: string) {
  const { port } = await openDatabase();
  const commit = await new ObjectPersistence({ store: await createFileStore(root), port }).restore();
  const rows = commit ? port.query("SELECT seq FROM log ORDER BY seq").map(([seq]) => Number(seq)) : [];
  return { sequence: commit?.sequence ?? 0, rows };
}

beforeAll(buildWriter);
afterAll(async () => {
  await Promise.all(running.map(kill));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  removeWriter();
});

describe("separate processes on the file store", () => {
  it("two processes on one object: exactly one serves writes; the other takes over after a kill -9 once the lease expires", async () => {
    const root = tempStore();
    const a = start(root, "process-a", 1_500, "hold");
    const b = start(root, "process-b", 1_500, "hold");
    const [lineA, lineB] = await Promise.all([a.waitFor(/^(LEASE|HELD)/), b.waitFor(/^(LEASE|HELD)/)]);
    expect([lineA, lineB].sort()).toEqual(["HELD LEASE_HELD", "LEASE 1"]);
    const holder = lineA === "LEASE 1" ? a : b;
    await holder.waitFor(/^ACK 1$/);
    await kill(holder);

    // Retried until the dead holder's lease has expired; no one released it.
    let taker: Writer;
    for (;;) {
      taker = start(root, "process-c", 1_500, "hold");
      const line = await taker.waitFor(/^(LEASE|HELD)/);
      if (line === "LEASE 2") break;
      expect(line).toBe("HELD LEASE_HELD");
      await taker.exited;
      await new Promise((r) => setTimeout(r, 300));
    }
    await taker.waitFor(/^ACK 2$/);
    await kill(taker);
    expect(await restoreRows(root)).toEqual({ sequence: 2, rows: [1, 2] });
  });

  it("kill -9 at random points while checkpointing: every restore yields the last acknowledged commit", async () => {
    const root = tempStore();
    let acknowledged = 0;
    for (let trial = 0; trial < 20; trial++) {
      // The same holder id each time: a restarted process may take its own lease at once.
      const writer = start(root, "looper", 30_000, "loop");
      await writer.waitFor(/^LEASE/);
      await new Promise((r) => setTimeout(r, Math.random() * 250));
      await kill(writer);
      const acks = writer.lines.filter((l) => l.startsWith("ACK ")).map((l) => Number(l.slice(4)));
      acknowledged = Math.max(acknowledged, ...acks);
      const restored = await restoreRows(root);
      // The kill may land after a commit but before its ACK is printed: one more, never less.
      expect(restored.sequence === acknowledged || restored.sequence === acknowledged + 1).toBe(true);
      expect(restored.rows).toEqual(Array.from({ length: restored.sequence }, (_, i) => i + 1));
      acknowledged = restored.sequence;
    }
    expect(acknowledged).toBeGreaterThan(0);
  });
});
