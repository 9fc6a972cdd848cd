import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "pathe";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { DurableObjectNamespace } from "../../src/runtime/index";
import { IdScheme } from "../../src/runtime/namespace/id";
import { objectStore, loadSnapshot } from "../../src/runtime/persistence/object-admin";
import { ObjectPersistence } from "../../src/runtime/persistence/object-persistence";
import { persistenceLifecycle } from "../../src/runtime/persistence/lifecycle";
import type { SnapshotInfo } from "../../src/runtime/persistence/time-travel";
import { createStore } from "../../src/runtime/storage/create";
import { createFileStore } from "../../src/runtime/storage/file";
import { createWorker, type Worker } from "../../src/runtime/worker";
import { startS3, type S3TestServer } from "../helpers/s3";
import * as objects from "../persistence/objects";
import { dumpDatabase, openDatabase } from "../persistence/sqlite";
import { recordCli } from "./harness";

const repo = resolve(import.meta.dirname, "../..");
const scratch = mkdtempSync(join(tmpdir(), "dotdo-snapshot-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const acmeId = new IdScheme("Ledger").fromName("acme").toString();

const dotdo = recordCli();

async function snapshotsOf(folder: string, ...object: string[]): Promise<SnapshotInfo[]> {
  const { output, exitCode } = await dotdo("snapshot", "list", ...object, "--json", "--storage", folder);
  expect(exitCode, output).toBe(0);
  return JSON.parse(output) as SnapshotInfo[];
}

const workers: Worker[] = [];
afterEach(async () => {
  await Promise.allSettled(workers.splice(0).map((worker) => worker.dispose()));
});

/** A real Worker with the persistence lifecycle on the file store in `folder`. */
async function startWorker(folder: string, holder: string) {
  const store = await createFileStore(folder);
  const lifecycle = persistenceLifecycle({ store, holder, iceberg: { autoCheckpoint: false }, leaseWaitMs: 0 });
  const worker = await createWorker(objects, { durableObjects: { LEDGER: { className: "Ledger" } }, lifecycle });
  workers.push(worker);
  const ns = worker.env.LEDGER as DurableObjectNamespace<objects.Ledger>;
  const save = async (name: string) => {
    const live = await worker.objects.LEDGER!.instance(ns.idFromName(name));
    return lifecycle.handleFor(live.db)!.saveToIceberg();
  };
  return { worker, ns, save, store };
}

/** Entries of `acme` as a fresh Worker (a new process would do the same) restores them. */
async function entriesSeenFresh(folder: string): Promise<unknown[]> {
  const { worker, ns } = await startWorker(folder, `reader-${Math.random()}`);
  const entries = await ns.getByName("acme").entries();
  await worker.dispose();
  return entries;
}

/** Three checkpoints of `acme`: [rent], [rent, salary], [rent, salary, tax]. */
async function seed(folder: string): Promise<void> {
  const { worker, ns, save } = await startWorker(folder, "seeder");
  const acme = ns.getByName("acme");
  for (const [note, amount] of [["rent", -1200.5], ["salary", 3000], ["tax", -400]] as const) {
    await acme.add(note, amount);
    await save("acme");
    // Distinct commit times, so --at can name each checkpoint.
    await new Promise((done) => setTimeout(done, 5));
  }
  await worker.dispose();
}

const rent = { id: 1, note: "rent", amount: -1200.5 };
const salary = { id: 2, note: "salary", amount: 3000 };
const tax = { id: 3, note: "tax", amount: -400 };

describe("dotdo snapshot objects | list", () => {
  const folder = join(scratch, "listed");
  beforeAll(() => seed(folder));

  it("lists the objects in the store, with checkpoint counts", async () => {
    const { output, exitCode } = await dotdo("snapshot", "objects", "--json", "--storage", folder);
    expect(exitCode).toBe(0);
    expect(JSON.parse(output)).toEqual([expect.objectContaining({ id: acmeId, commits: 3, newest: 3 })]);
    const human = await dotdo("snapshot", "objects", "--storage", folder);
    expect(human.output).toMatch(new RegExp(`^ID +CHECKPOINTS +NEWEST +FILES +BYTES\\n${acmeId} +3 +3 +\\d+ +[\\d.]+ (B|KiB)$`));
  });

  it("lists checkpoints by id or by name with the class (the runtime's id scheme), as JSON or a table", async () => {
    const byId = await snapshotsOf(folder, acmeId);
    expect(byId.map((s) => [s.sequence, s.generation, s.holder])).toEqual([[1, 1, "seeder"], [2, 1, "seeder"], [3, 1, "seeder"]]);
    expect(byId.map((s) => s.tables.find((t) => t.name === "entries")?.rows)).toEqual([1, 2, 3]);
    expect(await snapshotsOf(folder, "--name", "acme", "--binding", "Ledger")).toEqual(byId);

    const { output } = await dotdo("snapshot", "list", acmeId.toUpperCase(), "--storage", folder);
    const lines = output.split("\n");
    expect(lines[0]).toMatch(/^SEQ +TIME +GEN +HOLDER +ROWS +BYTES +TABLES$/);
    expect(lines[3]).toMatch(new RegExp(`^3 +${new Date(byId[2]!.timestampMs).toISOString()} +1 +seeder +\\d+ +.+entries \\(3\\)`));
  });

  it("resolves --binding through the project's wrangler config, and needs none with one class", async () => {
    const project = join(scratch, "project");
    mkdirSync(join(project, "src"), { recursive: true });
    writeFileSync(join(project, "src/index.js"), "export default { fetch() { return new Response('') } }; export class Ledger {}\n");
    writeFileSync(join(project, "wrangler.jsonc"), JSON.stringify({ name: "p", main: "src/index.js", durable_objects: { bindings: [{ name: "LEDGER", class_name: "Ledger" }] } }));
    const cwd = vi.spyOn(process, "cwd").mockReturnValue(project);
    try {
      const expected = await snapshotsOf(folder, acmeId);
      expect(await snapshotsOf(folder, "--name", "acme", "--binding", "LEDGER")).toEqual(expected);
      expect(await snapshotsOf(folder, "--name", "acme")).toEqual(expected);
    } finally {
      cwd.mockRestore();
    }
  });
});

describe("dotdo snapshot restore", () => {
  it("restores by sequence and by time as a new checkpoint on top; a fresh worker sees that state", async () => {
    const folder = join(scratch, "restored");
    await seed(folder);
    const [, second] = await snapshotsOf(folder, acmeId);

    const bySeq = await dotdo("snapshot", "restore", acmeId, "--seq", "1", "--storage", folder);
    expect(bySeq.exitCode, bySeq.output).toBe(0);
    expect(bySeq.output).toMatch(/^success: Restored \w+ to checkpoint 1 \(.+\): committed as checkpoint 4 \(lease generation 2\); earlier checkpoints are kept$/);
    expect(await entriesSeenFresh(folder)).toEqual([rent]);

    const byTime = await dotdo("snapshot", "restore", "--name", "acme", "--binding", "Ledger", "--at", new Date(second!.timestampMs).toISOString(), "--storage", folder);
    expect(byTime.exitCode, byTime.output).toBe(0);
    expect(byTime.output).toContain("to checkpoint 2 (");
    expect(await entriesSeenFresh(folder)).toEqual([rent, salary]);

    // History is kept: checkpoint 3 can still be gone back to.
    const history = await snapshotsOf(folder, acmeId);
    expect(history.map((s) => s.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(history.map((s) => s.tables.find((t) => t.name === "entries")?.rows)).toEqual([1, 2, 3, 1, 2]);
    expect((await dotdo("snapshot", "restore", acmeId, "--seq", "3", "--storage", folder)).exitCode).toBe(0);
    expect(await entriesSeenFresh(folder)).toEqual([rent, salary, tax]);

    const again = await dotdo("snapshot", "restore", acmeId, "--seq", "6", "--storage", folder);
    expect(again.output).toMatch(/^info: checkpoint 6 \(.+\) already is the newest state of \w+: nothing to do$/);
  });

  it("refuses while a live worker holds the lease; --force waits out a dead holder's lease", async () => {
    const folder = join(scratch, "leased");
    await seed(folder);
    const live = await startWorker(folder, "live-server");
    await live.ns.getByName("acme").entries();
    const refused = await dotdo("snapshot", "restore", acmeId, "--seq", "1", "--storage", folder);
    expect(refused.exitCode).toBe(1);
    expect(refused.output).toMatch(/^error: the object is open elsewhere: lease held by live-server until .+; stop it, or pass --force to wait for the lease to expire \[LEASE_HELD\]$/);
    await live.worker.dispose();
    expect((await snapshotsOf(folder, acmeId)).length).toBe(3);

    // A holder that died: its short lease is never renewed or released.
    const db = await openDatabase();
    const dead = new ObjectPersistence({ store: objectStore(await createFileStore(folder), acmeId), port: db.port, holder: "crashed", leaseTtlMs: 3_000 });
    await dead.acquireLease();
    const forced = await dotdo("snapshot", "restore", acmeId, "--seq", "1", "--force", "--storage", folder);
    expect(forced.exitCode, forced.output).toBe(0);
    expect(forced.output).toMatch(/^info: Waiting for the lease of crashed to expire at .+\nsuccess: Restored .+ committed as checkpoint 4 \(lease generation 4\)/);
    expect(await entriesSeenFresh(folder)).toEqual([rent]);
  });
});

describe("dotdo snapshot export | import", () => {
  const source = join(scratch, "source");
  const archive = join(scratch, "backup.tar.gz");
  let longTable: string;

  beforeAll(async () => {
    await seed(source);
    // A second object, through the persistence API, with a table name too long for plain ustar.
    longTable = `${"t".repeat(120)}_é`;
    const { port } = await openDatabase();
    const persistence = new ObjectPersistence({ store: objectStore(await createFileStore(source), "other"), port });
    port.exec(`CREATE TABLE "${longTable}" (v TEXT); INSERT INTO "${longTable}" VALUES ('x'), ('y');`);
    await persistence.checkpoint();
    await persistence.releaseLease();
  });

  async function dumpOf(folder: string, id: string, sequence?: number): Promise<unknown> {
    const { port } = await openDatabase();
    await loadSnapshot(await createFileStore(folder), id, port, sequence === undefined ? {} : { sequence });
    return dumpDatabase(port);
  }

  it("exports every object, imports into an empty store, which then restores the same rows", async () => {
    const exported = await dotdo("snapshot", "export", "--output", archive, "--storage", source);
    expect(exported.exitCode, exported.output).toBe(0);
    expect(exported.output).toMatch(/^success: Exported \d+ file\(s\) of 2 object\(s\), .+ to .+backup\.tar\.gz$/);

    const target = join(scratch, "imported");
    const imported = await dotdo("snapshot", "import", archive, "--storage", target);
    expect(imported.exitCode, imported.output).toBe(0);
    expect(imported.output).toMatch(/^success: Imported \d+ file\(s\) of 2 object\(s\)/);
    expect(await snapshotsOf(target, acmeId)).toEqual(await snapshotsOf(source, acmeId));
    for (const sequence of [1, 2, 3]) expect(await dumpOf(target, acmeId, sequence)).toEqual(await dumpOf(source, acmeId, sequence));
    expect(await dumpOf(target, "other")).toEqual(await dumpOf(source, "other"));
    expect((await dumpOf(target, "other") as { rows: Record<string, unknown[]> }).rows[longTable]).toHaveLength(2);

    // A second import meets every key: conflicts are summed up per object.
    const twice = await dotdo("snapshot", "import", archive, "--storage", target);
    expect(twice.exitCode).toBe(1);
    expect(twice.output).toMatch(new RegExp(`^error: \\d+ key\\(s\\) already exist in file://.+, import never overwrites: do/${acmeId}/ \\(\\d+ keys\\), do/other/ \\(\\d+ keys\\) \\[IMPORT_CONFLICT\\]$`));

    // Restorable in the imported store, and a fresh worker there serves the state.
    expect((await dotdo("snapshot", "restore", acmeId, "--seq", "2", "--storage", target)).exitCode).toBe(0);
    expect(await entriesSeenFresh(target)).toEqual([rent, salary]);
  });

  it("is a tar that GNU tar extracts into a working file store folder", async () => {
    const extracted = join(scratch, "extracted");
    mkdirSync(extracted);
    execFileSync("tar", ["-xzf", archive, "-C", extracted]);
    expect(readdirSync(join(extracted, "do")).sort()).toEqual([acmeId, "other"].sort());
    expect(await dumpOf(extracted, "other")).toEqual(await dumpOf(source, "other"));
    expect(await entriesSeenFresh(extracted)).toEqual([rent, salary, tax]);
  });

  it("exports one object by name; refuses to replace an existing output", async () => {
    const one = join(scratch, "acme.tar.gz");
    expect((await dotdo("snapshot", "export", "--name", "acme", "--binding", "Ledger", "--output", one, "--storage", source)).exitCode).toBe(0);
    const listing = execFileSync("tar", ["-tzf", one], { encoding: "utf8" }).trim().split("\n");
    expect(listing.every((name) => name.startsWith(`do/${acmeId}/`))).toBe(true);
    // Checkpoint files come before the commits that name them.
    const firstCommit = listing.findIndex((name) => name.includes("/snapshots/commits/"));
    expect(listing.slice(firstCommit).some((name) => name.endsWith(".parquet"))).toBe(false);

    const again = await dotdo("snapshot", "export", acmeId, "--output", one, "--storage", source);
    expect(again.exitCode).toBe(1);
    expect(again.output).toBe(`error: ${one} exists; remove it or choose another --output [OUTPUT_EXISTS]`);
  });

  it("import never overwrites: conflicts are listed and nothing is written", async () => {
    const target = join(scratch, "conflict");
    const store = await createFileStore(target);
    await store.put(`do/${acmeId}/lock`, new TextEncoder().encode("theirs"));
    const refused = await dotdo("snapshot", "import", archive, "--storage", target);
    expect(refused.exitCode).toBe(1);
    expect(refused.output).toMatch(new RegExp(`^error: 1 key\\(s\\) already exist in file://.+, import never overwrites: do/${acmeId}/lock \\[IMPORT_CONFLICT\\]$`));
    expect((await store.list("do/")).objects.map((o) => o.key)).toEqual([`do/${acmeId}/lock`]);
    expect(new TextDecoder().decode((await store.get(`do/${acmeId}/lock`))!.body)).toBe("theirs");
  });

  it("refuses archives that are not gzipped tars of object files, naming the file", async () => {
    const notGzip = join(scratch, "plain.tar.gz");
    writeFileSync(notGzip, "hello");
    const bad = await dotdo("snapshot", "import", notGzip, "--storage", join(scratch, "never"));
    expect(bad.output).toMatch(new RegExp(`^error: ${notGzip}: not a gzipped tar: .+ \\[ARCHIVE_INVALID\\]$`));

    const cut = join(scratch, "cut.tar.gz");
    const { gzipSync, gunzipSync } = await import("node:zlib");
    const { readFileSync } = await import("node:fs");
    writeFileSync(cut, gzipSync(gunzipSync(readFileSync(archive)).subarray(0, 700)));
    expect((await dotdo("snapshot", "import", cut, "--storage", join(scratch, "never"))).output).toMatch(/not a valid tar: cut off inside "do\/.+" \[ARCHIVE_INVALID\]$/);

    const foreign = join(scratch, "foreign");
    mkdirSync(join(foreign, "etc"), { recursive: true });
    writeFileSync(join(foreign, "etc/passwd"), "x");
    execFileSync("tar", ["-czf", join(scratch, "foreign.tar.gz"), "-C", foreign, "etc"]);
    expect((await dotdo("snapshot", "import", join(scratch, "foreign.tar.gz"), "--storage", join(scratch, "never"))).output).toMatch(/entry "etc\/passwd" is not an object's file \(do\/\{id\}\/…\) \[ARCHIVE_INVALID\]$/);
    expect(existsSync(join(scratch, "never", "do"))).toBe(false);
  });
});

describe("moving state to an S3 bucket (s3rver behind the conditional-write proxy of test/helpers/s3)", () => {
  let s3: S3TestServer;
  beforeAll(async () => {
    s3 = await startS3("moved");
  });
  afterAll(() => s3.close());

  it("exports from a file store, imports into s3://bucket/prefix from the environment, restores there", async () => {
    const source = join(scratch, "to-s3");
    await seed(source);
    const archive = join(scratch, "to-s3.tar.gz");
    expect((await dotdo("snapshot", "export", "--output", archive, "--storage", source)).exitCode).toBe(0);

    vi.stubEnv("R2_ENDPOINT", s3.endpoint);
    vi.stubEnv("R2_ACCESS_KEY_ID", s3.accessKeyId);
    vi.stubEnv("R2_SECRET_ACCESS_KEY", s3.secretAccessKey);
    vi.stubEnv("DOTDO_S3_FORCE_PATH_STYLE", "1");
    vi.stubEnv("DOTDO_STORAGE", "s3://moved/app");
    vi.stubEnv("XDG_CONFIG_HOME", join(scratch, "config"));
    try {
      const imported = await dotdo("snapshot", "import", archive);
      expect(imported.exitCode, imported.output).toBe(0);
      expect(imported.output).toContain("into s3://moved/app");
      const moved = await dotdo("snapshot", "list", acmeId, "--json");
      expect(JSON.parse(moved.output)).toEqual(await snapshotsOf(source, acmeId));
      const restored = await dotdo("snapshot", "restore", acmeId, "--seq", "1");
      expect(restored.exitCode, restored.output).toBe(0);
      const { port } = await openDatabase();
      await loadSnapshot(await createStore(process.env), acmeId, port);
      expect(port.query("SELECT note FROM entries")).toEqual([["rent"]]);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe("dotdo snapshot expire", () => {
  it("deletes checkpoints beyond --keep through the persistence API; the newest state stays", async () => {
    const folder = join(scratch, "expired");
    await seed(folder);
    const { output, exitCode } = await dotdo("snapshot", "expire", acmeId, "--keep", "1", "--storage", folder);
    expect(exitCode, output).toBe(0);
    expect(output).toMatch(/^success: Expired 2 checkpoint\(s\) of \w+ \(1, 2\) and deleted [1-9]\d* file\(s\) no other checkpoint uses$/);
    expect((await snapshotsOf(folder, acmeId)).map((s) => s.sequence)).toEqual([3]);
    expect(await entriesSeenFresh(folder)).toEqual([rent, salary, tax]);
    expect((await dotdo("snapshot", "expire", acmeId, "--older-than", "1w", "--storage", folder)).output).toBe(`info: Nothing to expire in ${acmeId}`);
  });
});

describe("bad input", () => {
  const folder = join(scratch, "bad");
  beforeAll(() => seed(folder));

  it.each([
    [["list", "f".repeat(64)], `error: no object ${"f".repeat(64)} in file://`, "[UNKNOWN_OBJECT]"],
    [["list", "nope"], "(nothing under do/nope/); ids are 64 hex digits, or give --name NAME (with --binding) for idFromName objects", "[UNKNOWN_OBJECT]"],
    [["list", "../etc"], 'error: "../etc" is not an object id', "[SNAPSHOT_ARGUMENT_INVALID]"],
    [["list", "--name", "acme"], "error: --name needs --binding CLASS: no wrangler config in", "[SNAPSHOT_ARGUMENT_INVALID]"],
    [["restore", acmeId], "error: give exactly one of --seq N or --at ISO-TIME", "[SNAPSHOT_ARGUMENT_INVALID]"],
    [["restore", acmeId, "--seq", "abc"], 'error: --seq "abc" is not a checkpoint number (a positive integer)', "[SNAPSHOT_ARGUMENT_INVALID]"],
    [["restore", acmeId, "--at", "yesterday"], 'error: --at "yesterday" is not an ISO 8601 time', "[SNAPSHOT_ARGUMENT_INVALID]"],
    [["restore", acmeId, "--seq", "9"], "no checkpoint 9; stored: 3 checkpoints, 1 (", "[SNAPSHOT_NOT_FOUND]"],
    [["restore", acmeId, "--at", "2001-01-01"], "no checkpoint at or before 2001-01-01T00:00:00.000Z; stored: 3 checkpoints", "[SNAPSHOT_NOT_FOUND]"],
    [["expire", acmeId], "error: give --keep N, --older-than DURATION, or both", "[SNAPSHOT_ARGUMENT_INVALID]"],
    [["expire", acmeId, "--older-than", "7 days"], 'error: --older-than "7 days" is not a duration', "[SNAPSHOT_ARGUMENT_INVALID]"],
    [["expire", acmeId, "--keep", "0"], 'error: --keep "0" is not a positive integer', "[SNAPSHOT_ARGUMENT_INVALID]"],
    [["export", acmeId, "--all", "--output", "x.tar.gz"], "error: give an object or --all, not both", "[SNAPSHOT_ARGUMENT_INVALID]"],
    [["export", "--output", "/nonexistent/x.tar.gz"], "error: --output /nonexistent/x.tar.gz: its folder does not exist", "[SNAPSHOT_ARGUMENT_INVALID]"],
    [["import", "/nonexistent.tar.gz"], "error: /nonexistent.tar.gz: no such file", "[ARCHIVE_INVALID]"],
    [["import", scratch], `error: ${scratch}: not a gzipped tar: EISDIR`, "[ARCHIVE_INVALID]"],
  ])("snapshot %j → one typed error line", async (args, message, code) => {
    const { output, exitCode } = await dotdo("snapshot", ...args, "--storage", folder);
    expect(exitCode).toBe(1);
    expect(output.split("\n")).toHaveLength(1);
    expect(output).toContain(message);
    expect(output.endsWith(code)).toBe(true);
  });

  it("an object with a lease but no checkpoint: NO_SNAPSHOTS; an empty store has nothing to export", async () => {
    const store = await createFileStore(folder);
    await store.put("do/fresh/lock", new TextEncoder().encode("{}"));
    expect((await dotdo("snapshot", "list", "fresh", "--storage", folder)).output).toMatch(/^error: object fresh in file:.+ has no committed checkpoint \[NO_SNAPSHOTS\]$/);
    const empty = await dotdo("snapshot", "export", "--all", "--output", join(scratch, "empty.tar.gz"), "--storage", join(scratch, "empty-store"));
    expect(empty.output).toMatch(/^error: no objects in file:.+empty-store \(nothing under do\/\) \[NO_OBJECTS\]$/);
    expect(existsSync(join(scratch, "empty.tar.gz"))).toBe(false);
  });

  it("a damaged checkpoint: restore names the damaged file; other checkpoints still restore", async () => {
    const damaged = join(scratch, "damaged");
    cpSync(folder, damaged, { recursive: true });
    const store = objectStore(await createFileStore(damaged), acmeId);
    const files = (await store.list("snapshots/")).objects.map((o) => o.key);
    const dataFile = files.find((key) => /^snapshots\/seq-1-.+\/data\/entries-0\.parquet$/.test(key))!;
    writeFileSync(join(damaged, "do", acmeId, ...dataFile.split("/")), "not parquet");
    // The image too: restores use it first, and fall back to the tables only when it is damaged.
    const pack = files.find((key) => /^snapshots\/seq-1-.+\/image\/pack-0\.bin$/.test(key))!;
    writeFileSync(join(damaged, "do", acmeId, ...pack.split("/")), "not an image");
    const { output, exitCode } = await dotdo("snapshot", "restore", acmeId, "--seq", "1", "--storage", damaged);
    expect(exitCode).toBe(1);
    expect(output).toMatch(new RegExp(`^error: file://.+/do/${acmeId}: snapshot file ${dataFile.replaceAll(".", "\\.")}: .+ \\[CORRUPT_SNAPSHOT\\]$`));
    expect((await dotdo("snapshot", "restore", acmeId, "--seq", "2", "--storage", damaged)).exitCode).toBe(0);
    expect(await entriesSeenFresh(damaged)).toEqual([rent, salary]);
  });
});

describe("the dotdo process", () => {
  it("prints data on stdout and errors as one line with exit status 1", async () => {
    const folder = join(scratch, "process");
    await seed(folder);
    // The CLI from source through jiti, as bin/dotdo.mjs runs it from dist.
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [join(repo, "node_modules/jiti/lib/jiti-cli.mjs"), join(repo, "test/gateway/helpers/cli-entry.ts"), "snapshot", ...args], {
        cwd: scratch,
        encoding: "utf8",
        env: { ...process.env, DOTDO_STORAGE: folder, XDG_CONFIG_HOME: join(scratch, "config"), CONSOLA_LEVEL: "3" },
      });
    const listed = run("objects");
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout.split("\n")[1]).toMatch(new RegExp(`^${acmeId} +3 +3 `));
    const json = run("list", acmeId, "--json");
    expect((JSON.parse(json.stdout) as SnapshotInfo[]).map((s) => s.sequence)).toEqual([1, 2, 3]);
    const failed = run("restore", acmeId, "--seq", "7");
    expect(failed.status).toBe(1);
    expect(`${failed.stdout}${failed.stderr}`).toMatch(/no checkpoint 7; stored: 3 checkpoints.+\[SNAPSHOT_NOT_FOUND\]/);
  });
});
