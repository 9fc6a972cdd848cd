import { serialize } from "node:v8";
import { expect, it } from "vitest";
import { v8SerializedSize } from "../../src/runtime/state/v8-serialized-size";

// node:v8 is V8's own serializer (the format workerd measures attachments in). Node's
// serializer writes typed arrays as host objects, so views are left to the workerd parity test.
it("gives the size V8's serializer writes, for every kind of cloneable value", () => {
  const shared = { s: "shared" };
  const sparse = [1, , 3];
  const withProps = Object.assign([1, 2], { extra: "x" });
  const error = new RangeError("bad");
  const values: unknown[] = [
    undefined, null, true, false, 0, -1, 63, 64, -65, 1_000_000, 2 ** 30 - 1, -(2 ** 30), -0, 0.5, NaN, Infinity, 2 ** 40,
    0n, 1n, -(2n ** 64n), 2n ** 200n,
    "", "ascii", "é latin-1", "€ two-byte", "x".repeat(200), "mixed € and ascii ".repeat(20),
    { a: 1, "€": "two-byte key", 7: "index key", [String(2 ** 32)]: "not an index" },
    [1, "two", { three: 3 }], sparse, withProps, [],
    new Date(0), /a+b/gimsuy, new RegExp("x", "dv"),
    new Map<unknown, unknown>([[1, "a"], ["b", { c: 2 }]]), new Set([1, "x", 2n]),
    new ArrayBuffer(300),
    Object(1.5), Object(true), Object("boxed €"), Object(5n),
    { first: shared, again: shared, list: [shared, shared] },
    error,
  ];
  for (const value of values) expect([value, v8SerializedSize(value)]).toEqual([value, serialize(value).byteLength]);
});
