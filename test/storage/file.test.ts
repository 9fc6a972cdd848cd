import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createFileStore } from "../../src/runtime/storage/file";
import { describeStoreContract } from "./contract";
import { tempDirs } from "./temp-dir";

const newDir = tempDirs();
const bytes = (text: string) => new TextEncoder().encode(text);

describeStoreContract("file", async () => createFileStore(await newDir()));

describe("file store", () => {
  it("keeps each object as a plain file at its key's path", async () => {
    const root = await newDir();
    const store = await createFileStore({ root });
    await store.put("tables/t/metadata/v1.metadata.json", bytes("{}"));
    expect(await readFile(join(root, "tables", "t", "metadata", "v1.metadata.json"), "utf8")).toBe("{}");
    expect(store.url).toBe(`file://${root}`);
  });

  it("sees files written by other tools, with a content etag", async () => {
    const root = await newDir();
    const store = await createFileStore(root);
    await mkdir(join(root, "outside"));
    await writeFile(join(root, "outside", "f.txt"), "hello");
    const written = await store.put("copy", bytes("hello"));
    expect(await store.head("outside/f.txt")).toEqual({ key: "outside/f.txt", size: 5, etag: written.etag });
    await writeFile(join(root, "outside", "f.txt"), "changed");
    expect((await store.head("outside/f.txt"))?.etag).not.toBe(written.etag);
  });

  it("reserves its internal folder and hides it from listings", async () => {
    const store = await createFileStore(await newDir());
    await expect(store.put(".dotdo-store/tmp/x", bytes("x"))).rejects.toMatchObject({ code: "INVALID_KEY" });
    await store.put("visible", bytes("x"));
    expect((await store.list("")).objects.map((o) => o.key)).toEqual(["visible"]);
  });

  it("refuses a key that would be both a file and a folder", async () => {
    const store = await createFileStore(await newDir());
    await store.put("a", bytes("file"));
    await expect(store.put("a/b", bytes("x"))).rejects.toMatchObject({ code: "INVALID_KEY" });
    await store.put("c/d", bytes("x"));
    await expect(store.put("c", bytes("x"))).rejects.toMatchObject({ code: "INVALID_KEY" });
    await expect(store.put("c", bytes("x"), { ifNoneMatch: "*" })).rejects.toMatchObject({ code: "INVALID_KEY" });
    expect(await store.get("c")).toBeNull();
  });

  it("removes folders emptied by a delete and leaves no temp files", async () => {
    const root = await newDir();
    const store = await createFileStore(root);
    await store.put("x/y/z", bytes("1"));
    await store.put("x/y/z", bytes("2"));
    await store.put("x/y/w", bytes("3"), { ifNoneMatch: "*" });
    await store.delete("x/y/z");
    await store.delete("x/y/w");
    expect((await readdir(root)).sort()).toEqual([".dotdo-store"]);
    expect(await readdir(join(root, ".dotdo-store", "tmp"))).toEqual([]);
    expect(await readdir(join(root, ".dotdo-store", "locks"))).toEqual([]);
  });

  it("on a case-insensitive file system, refuses keys that differ from a stored one only in case", async () => {
    // Forced on: this machine's file system keeps `Acme` and `acme` apart, macOS's default does not.
    const store = await createFileStore({ root: await newDir(), caseInsensitive: true });
    await store.put("org=acme/tenant=t/do/obj1/lock", bytes("acme's"));
    for (const key of ["org=Acme/tenant=t/do/obj1/lock", "org=acme/tenant=T/x", "org=acme/tenant=t/do/obj1/LOCK"]) {
      await expect(store.put(key, bytes("x"))).rejects.toMatchObject({ code: "INVALID_KEY", message: expect.stringContaining("only in case") });
      await expect(store.get(key)).rejects.toMatchObject({ code: "INVALID_KEY" });
      await expect(store.delete(key)).rejects.toMatchObject({ code: "INVALID_KEY" });
    }
    expect((await store.list("")).objects.map((o) => o.key)).toEqual(["org=acme/tenant=t/do/obj1/lock"]);
    expect((await store.put("org=acme/tenant=t/do/obj1/other", bytes("x"))).size).toBe(1);
  });

  it("lets only one of two writers racing to create case twins through (two stores on one folder, as two processes)", async () => {
    const root = await newDir();
    const [first, second] = await Promise.all([1, 2].map(() => createFileStore({ root, caseInsensitive: true })));
    for (let round = 0; round < 10; round++) {
      // Every other round as create-only writes, which take no per-key lock.
      const options = round % 2 === 0 ? undefined : ({ ifNoneMatch: "*" } as const);
      const outcomes = await Promise.allSettled([
        first!.put(`Tenant${round}/do/x`, bytes("upper"), options),
        second!.put(`tenant${round}/do/y`, bytes("lower"), options),
      ]);
      expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(1);
      const refused = outcomes.find((outcome) => outcome.status === "rejected");
      expect(refused?.reason).toMatchObject({ code: "INVALID_KEY", message: expect.stringContaining("only in case") });
      expect((await readdir(root)).filter((name) => name.toLowerCase() === `tenant${round}`)).toHaveLength(1);
    }
  });

  it("finds out whether its file system ignores case, and keeps case-only twins apart where it does not", async () => {
    const store = await createFileStore(await newDir());
    await store.put("Acme/x", bytes("1"));
    await store.put("acme/x", bytes("2"));
    expect(new TextDecoder().decode((await store.get("Acme/x"))?.body)).toBe("1");
  });

  it("refuses a root that is not a folder", async () => {
    const dir = await newDir();
    await writeFile(join(dir, "plain-file"), "x");
    await expect(createFileStore(join(dir, "plain-file"))).rejects.toMatchObject({ code: "STORAGE_CONFIG_INVALID" });
  });
});

// A small tmpfs is a disk that fills up; mounting needs root (CI and developers run as root
// here), elsewhere this is skipped, as in test/reliability/disk.test.ts.
const smallDisk = mkdtempSync(join(tmpdir(), "dotdo-small-disk-"));
const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", smallDisk]).status === 0;
afterAll(() => {
  if (mounted) spawnSync("umount", [smallDisk]);
  rmSync(smallDisk, { recursive: true, force: true });
});

describe.skipIf(!mounted)("file store on a disk that fills up", () => {
  it("refuses an object the disk has no room for, and stores nothing of it (a write that took only part of the bytes is not the end)", async () => {
    const store = await createFileStore(smallDisk);
    const big = new Uint8Array(512 * 1024).fill(7);
    await expect(store.put("big", big)).rejects.toThrow(/ENOSPC|no space/);
    expect(await store.get("big")).toBeNull();
    await expect(store.put("log/1", big.subarray(0, 400 * 1024), { ifNoneMatch: "*" })).rejects.toThrow(/ENOSPC|no space/);
    expect(await store.head("log/1")).toBeNull();
  });

  it("a key whose lock could not be written is free again at once (no empty lock file left to wait out)", async () => {
    const store = await createFileStore({ root: smallDisk, staleLockMs: 60_000 });
    const filler = join(smallDisk, "filler");
    try {
      writeFileSync(filler, new Uint8Array(1024 * 1024)); // fills the disk, then throws
    } catch {
      // ENOSPC: full now
    }
    // An empty body needs no room of its own; its lock's content does.
    await expect(store.put("lock", new Uint8Array(0))).rejects.toThrow(/ENOSPC|no space/);
    rmSync(filler);
    await store.put("lock", new TextEncoder().encode("free"));
    expect(new TextDecoder().decode((await store.get("lock"))!.body)).toBe("free");
  }, 20_000);
});
