import { beforeEach, describe, expect, it } from "vitest";
import { PreconditionFailedError } from "../../src/runtime/storage/errors";
import { deleteKeys } from "../../src/runtime/storage/delete-keys";
import type { ObjectStore } from "../../src/runtime/storage/types";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (body: Uint8Array | undefined) => new TextDecoder().decode(body);

/**
 * The behaviour every backend must share. `makeStore` returns an empty store each time
 * (a fresh folder, or a fresh prefix in a shared bucket).
 */
export function describeStoreContract(name: string, makeStore: () => Promise<ObjectStore>): void {
  describe(`${name} store contract`, () => {
    let store: ObjectStore;
    beforeEach(async () => {
      store = await makeStore();
    });

    it("answers null for a missing key", async () => {
      expect(await store.get("missing/key")).toBeNull();
      expect(await store.head("missing/key")).toBeNull();
      expect(await store.get("missing/key", { range: { offset: 2, length: 3 } })).toBeNull();
    });

    it("stores bytes and reads them back with size and etag", async () => {
      const body = new Uint8Array(256).map((_, i) => i);
      const put = await store.put("dir/all-bytes.bin", body);
      expect(put).toMatchObject({ key: "dir/all-bytes.bin", size: 256 });
      expect(put.etag).toMatch(/^[^"]+$/);
      const got = await store.get("dir/all-bytes.bin");
      expect(got?.body).toEqual(body);
      expect(got).toMatchObject({ key: "dir/all-bytes.bin", size: 256, etag: put.etag });
      expect(await store.head("dir/all-bytes.bin")).toEqual({ key: "dir/all-bytes.bin", size: 256, etag: put.etag });
    });

    it("stores an empty object", async () => {
      await store.put("empty", new Uint8Array());
      const got = await store.get("empty");
      expect(got?.size).toBe(0);
      expect(got?.body.length).toBe(0);
    });

    it("keeps its own copy of the bytes", async () => {
      const body = bytes("original");
      await store.put("copy", body);
      body.fill(0);
      expect(text((await store.get("copy"))?.body)).toBe("original");
    });

    it("stores a streamed body, and nothing when the stream does not match its declared size", async () => {
      const stream = (...pieces: string[]) =>
        new ReadableStream<Uint8Array>({
          start(controller) {
            for (const piece of pieces) controller.enqueue(bytes(piece));
            controller.close();
          },
        });
      const streamed = await store.put("streamed", { stream: stream("hello ", "world"), size: 11 });
      expect(streamed).toMatchObject({ key: "streamed", size: 11, etag: (await store.put("same-bytes", bytes("hello world"))).etag });
      expect(text((await store.get("streamed"))?.body)).toBe("hello world");
      await expect(store.put("short", { stream: stream("abc"), size: 5 })).rejects.toThrow();
      await expect(store.put("long", { stream: stream("abc", "def"), size: 5 })).rejects.toThrow();
      expect(await store.head("short")).toBeNull();
      expect(await store.head("long")).toBeNull();
    });

    it("replaces an object and changes its etag", async () => {
      const first = await store.put("replace", bytes("one"));
      const second = await store.put("replace", bytes("two!"));
      expect(second.etag).not.toBe(first.etag);
      expect(await store.head("replace")).toEqual({ key: "replace", size: 4, etag: second.etag });
      expect(text((await store.get("replace"))?.body)).toBe("two!");
    });

    it("reads byte ranges, cut short at the end like a slice", async () => {
      const put = await store.put("range.txt", bytes("0123456789"));
      const read = async (offset: number, length?: number) => {
        const got = await store.get("range.txt", { range: { offset, length } });
        expect(got).toMatchObject({ size: 10, etag: put.etag });
        return text(got?.body);
      };
      expect(await read(2, 3)).toBe("234");
      expect(await read(7)).toBe("789");
      expect(await read(0, 1)).toBe("0");
      expect(await read(8, 100)).toBe("89");
      expect(await read(9)).toBe("9");
      expect(await read(10)).toBe("");
      expect(await read(50, 5)).toBe("");
      expect(await read(3, 0)).toBe("");
    });

    it("refuses bad ranges", async () => {
      await store.put("r", bytes("abc"));
      await expect(store.get("r", { range: { offset: -1 } })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      await expect(store.get("r", { range: { offset: 0, length: 1.5 } })).rejects.toMatchObject({
        code: "INVALID_ARGUMENT",
      });
    });

    it("creates only once with ifNoneMatch", async () => {
      const created = await store.put("lock", bytes("first"), { ifNoneMatch: "*" });
      const second = store.put("lock", bytes("second"), { ifNoneMatch: "*" });
      await expect(second).rejects.toBeInstanceOf(PreconditionFailedError);
      await expect(second).rejects.toMatchObject({
        code: "PRECONDITION_FAILED",
        key: "lock",
        condition: "If-None-Match: *",
      });
      expect(await store.head("lock")).toEqual({ key: "lock", size: 5, etag: created.etag });
      expect(text((await store.get("lock"))?.body)).toBe("first");
    });

    it("replaces only the expected version with ifMatch", async () => {
      const first = await store.put("lease", bytes("gen-1"));
      const second = await store.put("lease", bytes("gen-2"), { ifMatch: first.etag });
      expect(text((await store.get("lease"))?.body)).toBe("gen-2");

      const stale = store.put("lease", bytes("gen-2-late"), { ifMatch: first.etag });
      await expect(stale).rejects.toBeInstanceOf(PreconditionFailedError);
      await expect(stale).rejects.toMatchObject({ key: "lease", condition: `If-Match: "${first.etag}"` });
      expect(await store.head("lease")).toMatchObject({ etag: second.etag });
      expect(text((await store.get("lease"))?.body)).toBe("gen-2");
    });

    it("fails ifMatch on a missing key", async () => {
      const put = await store.put("gone", bytes("x"));
      await store.delete("gone");
      const late = store.put("gone", bytes("y"), { ifMatch: put.etag });
      await expect(late).rejects.toBeInstanceOf(PreconditionFailedError);
      expect(await store.head("gone")).toBeNull();
    });

    it("deletes, and deleting a missing key is fine", async () => {
      await store.put("a/b/c", bytes("x"));
      await store.delete("a/b/c");
      expect(await store.get("a/b/c")).toBeNull();
      expect(await store.head("a/b/c")).toBeNull();
      await store.delete("a/b/c");
      await store.delete("never/was");
      await store.put("a/b/c", bytes("again"), { ifNoneMatch: "*" });
      expect(text((await store.get("a/b/c"))?.body)).toBe("again");
    });

    it("deletes many keys at once, missing ones included", async () => {
      for (const n of [1, 2, 3, 4, 5]) await store.put(`d/${n}`, bytes(String(n)));
      await deleteKeys(store, ["d/1", "d/3", "d/missing", "d/5"]);
      expect((await store.list("d/")).objects.map((o) => o.key)).toEqual(["d/2", "d/4"]);
      await deleteKeys(store, []);
      await expect(deleteKeys(store, ["d/2", "../escape"])).rejects.toMatchObject({ code: "INVALID_KEY" });
    });

    it("lists by prefix in key order, in pages", async () => {
      const keys = ["t/b", "t/a/2", "t/a/1", "t/ab", "t/c/d/e", "u/x", "t-other"];
      const etags = new Map<string, string>();
      for (const key of keys) etags.set(key, (await store.put(key, bytes(`value of ${key}`))).etag);

      const all = await store.list("t/");
      expect(all.cursor).toBeUndefined();
      expect(all.objects.map((o) => o.key)).toEqual(["t/a/1", "t/a/2", "t/ab", "t/b", "t/c/d/e"]);
      for (const object of all.objects) {
        expect(object).toEqual({ key: object.key, size: `value of ${object.key}`.length, etag: etags.get(object.key) });
      }

      expect((await store.list("t/a")).objects.map((o) => o.key)).toEqual(["t/a/1", "t/a/2", "t/ab"]);
      expect((await store.list("t")).objects.map((o) => o.key)).toContain("t-other");
      expect((await store.list("nothing/")).objects).toEqual([]);
      expect((await store.list("")).objects).toHaveLength(keys.length);

      const paged: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.list("t/", { limit: 2, cursor });
        expect(page.objects.length).toBeLessThanOrEqual(2);
        paged.push(...page.objects.map((o) => o.key));
        cursor = page.cursor;
        pages++;
      } while (cursor !== undefined && pages < 10);
      expect(paged).toEqual(all.objects.map((o) => o.key));
      expect(pages).toBe(3);
    });

    it("refuses unsafe keys with a typed error", async () => {
      const unsafe = ["", "../escape", "a/../../b", "/absolute", "a\\b", "nul\0byte", "a//b", "a/./b", "trailing/"];
      // One name on every file system: no trailing dot or space, no device name, 255 bytes at most.
      unsafe.push("lock.", "do/x /lock", "tables/aux/x", "CON.json", `${"é".repeat(128)}/x`);
      for (const key of unsafe) {
        await expect(store.put(key, bytes("x")), JSON.stringify(key)).rejects.toMatchObject({ code: "INVALID_KEY" });
        await expect(store.get(key), JSON.stringify(key)).rejects.toMatchObject({ code: "INVALID_KEY" });
      }
      await expect(store.list("../")).rejects.toMatchObject({ code: "INVALID_KEY" });
      await expect(store.list("", { limit: 0 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    });
  });
}
