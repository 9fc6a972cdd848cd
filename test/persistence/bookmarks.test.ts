import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { DurableObjectNamespace } from "../../src/runtime/index";
import { RESTORE_REQUEST_KEY } from "../../src/runtime/persistence/keys";
import { persistenceLifecycle } from "../../src/runtime/persistence/lifecycle";
import { createFileStore } from "../../src/runtime/storage/file";
import { createWorker, type Worker } from "../../src/runtime/worker";
import * as objects from "./bookmarks/objects";

const scratch = mkdtempSync(join(tmpdir(), "dotdo-bookmarks-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const running: Worker[] = [];
afterEach(async () => {
  await Promise.allSettled(running.splice(0).map((worker) => worker.dispose()));
});

/**
 * A server's worker on a file store in `folder`: each call is a fresh process as far as the
 * object's state goes (nothing but the store is shared), stopped cleanly by `dispose()`.
 */
async function serverOn(folder: string) {
  const store = await createFileStore(join(scratch, folder));
  const lifecycle = persistenceLifecycle({ store, holder: `bookmarks-${running.length}`, iceberg: { autoCheckpoint: false } });
  const worker = await createWorker(objects, { durableObjects: { NOTES: { className: "Notes" } }, lifecycle });
  running.push(worker);
  const notes = worker.env.NOTES as DurableObjectNamespace<objects.Notes>;
  return { worker, store, notes: (name = "diary") => notes.getByName(name) };
}

describe("point-in-time recovery with bookmarks (mapped onto checkpoints)", () => {
  it("restores the state a bookmark names after ctx.abort(), and the bookmark it hands back undoes that", async () => {
    const { notes } = await serverOn("abort");
    await notes().add("first");
    const early = await notes().bookmark();
    await notes().add("second");
    const late = await notes().bookmark();
    expect(late > early).toBe(true); // later bookmarks sort after earlier ones, as on Cloudflare

    await expect(notes().restoreTo(early, true)).rejects.toThrow(/restoring a bookmark/);
    expect(await notes().notes()).toEqual(["first"]);
    await notes().add("after the restore");
    expect(await notes().notes()).toEqual(["first", "after the restore"]);

    const undo = await notes().restoreTo(late, true).catch(() => null);
    expect(undo).toBeNull(); // aborted
    expect(await notes().notes()).toEqual(["first", "second"]);
  });

  it("a restore asked for in one process happens in the next one, once: later writes are kept", async () => {
    const first = await serverOn("restart");
    await first.notes().add("kept");
    const bookmark = await first.notes().bookmark();
    await first.notes().add("undone by the restore");
    await first.notes().restoreTo(bookmark, false);
    expect(await first.notes().notes()).toEqual(["kept", "undone by the restore"]); // until the next session
    const requests = async (store: typeof first.store) =>
      (await store.list("do/")).objects.map((object) => object.key).filter((key) => key.endsWith(RESTORE_REQUEST_KEY));
    expect(await requests(first.store)).toHaveLength(1);
    await first.worker.dispose();

    const second = await serverOn("restart");
    expect(await second.notes().notes()).toEqual(["kept"]);
    await second.notes().add("written after it");
    expect(await requests(second.store)).toEqual([]); // done with once committed
    await second.worker.dispose();

    const third = await serverOn("restart");
    expect(await third.notes().notes()).toEqual(["kept", "written after it"]);
  });

  it("a bookmark is a string that works in another process, and for the state before any write", async () => {
    const first = await serverOn("passed");
    const empty = await first.notes().bookmark();
    await first.notes().add("one");
    const one = await first.notes().bookmark();
    await first.worker.dispose();

    const second = await serverOn("passed");
    await second.notes().add("two");
    await expect(second.notes().restoreTo(one, true)).rejects.toThrow();
    expect(await second.notes().notes()).toEqual(["one"]);
    await expect(second.notes().restoreTo(empty, true)).rejects.toThrow();
    expect(await second.notes().notes()).toEqual([]);
  });

  it("getBookmarkForTime names the newest checkpoint at or before the time, or the state before the first", async () => {
    const { notes } = await serverOn("for-time");
    const before = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await notes().add("a");
    await notes().bookmark();
    const afterA = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await notes().add("b");
    await notes().bookmark();

    await expect(notes().restoreTo(await notes().bookmarkForTime(afterA), true)).rejects.toThrow();
    expect(await notes().notes()).toEqual(["a"]);
    await expect(notes().restoreTo(await notes().bookmarkForTime(before - 1), true)).rejects.toThrow();
    expect(await notes().notes()).toEqual([]);
  });

  it("refuses what is not a bookmark of this object, with the reason", async () => {
    const { notes } = await serverOn("invalid");
    const other = await notes("other").bookmark();
    await expect(notes().restoreTo("not a bookmark", false)).rejects.toThrow(/is not a bookmark of this Durable Object: not in the format/);
    await expect(notes().restoreTo(other, false)).rejects.toThrow(/made by another object/);
    const far = `${"0".repeat(8)}-000000ff-00000000-${other.slice(-32)}`;
    await expect(notes("other").restoreTo(far, false)).rejects.toThrow(/checkpoint 255 is no longer kept/);
    expect(await notes("other").notes()).toEqual([]);
  });
});
