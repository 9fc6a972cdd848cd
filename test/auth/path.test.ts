import fc from "fast-check";
import { posix } from "node:path";
import { describe, expect, it } from "vitest";
import { checkListPrefix, keySegments, PathForbiddenError, prefixSegments } from "../../src/runtime/auth";
import { ESCAPE_KEYS } from "./helpers/escapes";

describe("keySegments", () => {
  it("accepts the keys the snapshot layout uses", () => {
    for (const key of [
      "lock",
      "snapshots/latest",
      "snapshots/seq-12-0f8e2c1a-4b1d-4c57-9a43-2f0e5d7c9b11/metadata.json",
      "snapshots/seq-3-x/data/users-00001.parquet",
      "tables/users/metadata/v3.metadata.json",
      "tables/Ünïcödé table/metadata/version-hint.text",
      "a..b/.hidden/x.y",
    ]) {
      expect(keySegments(key).join("/")).toBe(key);
    }
  });

  for (const [technique, keys] of Object.entries(ESCAPE_KEYS)) {
    it(`refuses ${technique} keys with PATH_FORBIDDEN`, () => {
      for (const key of keys) {
        let caught: unknown;
        try {
          keySegments(key);
        } catch (error) {
          caught = error;
        }
        expect(caught, JSON.stringify(key)).toBeInstanceOf(PathForbiddenError);
        expect((caught as PathForbiddenError).code).toBe("PATH_FORBIDDEN");
      }
    });
  }

  it("refuses non-strings", () => {
    expect(() => keySegments(undefined)).toThrow(PathForbiddenError);
    expect(() => keySegments(["a"])).toThrow(PathForbiddenError);
  });

  it("never accepts a key that resolves, decodes or normalises outside its root", () => {
    const alphabet = ["a", "b", ".", "/", "\\", "%", "2", "e", "f", "\uFF0E", "\uFF0F", "\u2215", "\u0000", ":", "C"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 12 }).map((chars) => chars.join("")), (key) => {
        let accepted: boolean;
        try {
          keySegments(key);
          accepted = true;
        } catch (error) {
          expect(error).toBeInstanceOf(PathForbiddenError);
          accepted = false;
        }
        if (!accepted) return;
        for (const variant of [key, key.normalize("NFKC"), safeDecode(safeDecode(key))]) {
          expect(posix.normalize(`/root/${variant}`).startsWith("/root/")).toBe(true);
          expect(variant.split(/[\\/]/)).not.toContain("..");
        }
      }),
      { numRuns: 5000 },
    );
  });
});

describe("checkListPrefix", () => {
  it("allows an empty prefix, a trailing slash and a partial last segment", () => {
    for (const prefix of ["", "snapshots/", "snapshots/seq-1", "do/", "d"]) expect(checkListPrefix(prefix)).toBe(prefix);
  });

  it("refuses every escape technique", () => {
    const prefixes = Object.values(ESCAPE_KEYS).flat().filter((key) => !["", "a/", "a/b/"].includes(key));
    for (const prefix of prefixes) expect(() => checkListPrefix(prefix), JSON.stringify(prefix)).toThrow(PathForbiddenError);
  });
});

describe("prefixSegments", () => {
  it("splits a prefix claim into identifiers", () => {
    expect(prefixSegments("")).toEqual([]);
    expect(prefixSegments("apps/prod")).toEqual(["apps", "prod"]);
  });

  it.each(["..", "apps/..", "/apps", "apps/", "apps//prod", "ap ps", "äpps", ".hidden"])("refuses %j", (prefix) => {
    expect(() => prefixSegments(prefix)).toThrow(PathForbiddenError);
  });
});

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
