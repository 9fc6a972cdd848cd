import { runInNewContext } from "node:vm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeValue, encodeValue, ValueDecodeError } from "../../src/runtime/state/value-codec";

const roundTrip = (value: unknown) => decodeValue(encodeValue(value));

// Values structured clone accepts, including the types the encoding has to special-case.
const cloneable = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.bigInt(),
    fc.string({ unit: "binary" }),
    fc.date({ noInvalidDate: false }),
    fc.uint8Array().map((bytes) => bytes.buffer),
    fc.int32Array(),
    fc.float64Array(),
    fc.bigInt64Array(),
    fc.constantFrom(/a+b/gi, /x/, /[\u{1F600}]/u),
  ),
  value: fc.oneof({ depthSize: "small" }, tie("leaf"), tie("array"), tie("object"), tie("map"), tie("set")),
  array: fc.array(tie("value"), { maxLength: 5 }),
  object: fc.dictionary(fc.string(), tie("value"), { maxKeys: 5 }),
  map: fc.array(fc.tuple(tie("value"), tie("value")), { maxLength: 4 }).map((entries) => new Map(entries)),
  set: fc.array(tie("value"), { maxLength: 4 }).map((values) => new Set(values)),
}));

describe("KV value encoding", () => {
  it("round-trips exactly what structuredClone does", () => {
    fc.assert(
      fc.property(cloneable.value, (value) => {
        expect(roundTrip(value)).toStrictEqual(structuredClone(value));
      }),
      { numRuns: 300 },
    );
  });

  it("keeps shared and cyclic references, views on one buffer, holes and errors", () => {
    const shared = { n: 1 };
    const cyclic: Record<string, unknown> = { shared, again: shared };
    cyclic.self = cyclic;
    const decoded = roundTrip(cyclic) as typeof cyclic;
    expect(decoded.self).toBe(decoded);
    expect(decoded.shared).toBe(decoded.again);

    const buffer = new ArrayBuffer(8);
    const [a, b] = roundTrip([new Uint8Array(buffer, 0, 4), new DataView(buffer, 4)]) as [Uint8Array, DataView];
    expect(a.buffer).toBe(b.buffer);
    expect(b.byteOffset).toBe(4);

    // eslint-disable-next-line no-sparse-arrays
    const holey = roundTrip([1, , 3]) as unknown[];
    expect(1 in holey).toBe(false);
    expect(holey).toHaveLength(3);

    const error = roundTrip(new RangeError("bad", { cause: 7 })) as RangeError;
    expect(error).toBeInstanceOf(RangeError);
    expect([error.message, error.cause]).toEqual(["bad", 7]);
    expect((roundTrip(Object(5n)) as object).valueOf()).toBe(5n);
    class Point {
      constructor(readonly x: number) {}
    }
    expect(roundTrip(new Point(2))).toStrictEqual({ x: 2 });
  });

  it("encodes values from another realm the same (edge-runtime runs code in a VM context)", () => {
    const foreign = runInNewContext("({ d: new Date(1), m: new Map([[1, new Set([2])]]), b: new Uint8Array([3]).buffer, o: { a: [1] } })");
    const decoded = roundTrip(foreign) as { d: Date; m: Map<number, Set<number>>; b: ArrayBuffer; o: unknown };
    expect(decoded.d).toEqual(new Date(1));
    expect(decoded.m).toEqual(new Map([[1, new Set([2])]]));
    expect([...new Uint8Array(decoded.b)]).toEqual([3]);
    expect(decoded.o).toEqual({ a: [1] });
  });

  it("throws DataCloneError like structuredClone for what cannot be cloned", () => {
    for (const bad of [() => 1, Symbol("s"), { nested: new WeakMap() }]) {
      let error: unknown;
      try {
        encodeValue(bad);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(DOMException);
      expect((error as DOMException).name).toBe("DataCloneError");
    }
  });

  it("refuses bytes that are not its encoding with a typed error", () => {
    expect(() => decodeValue(new Uint8Array([1, 2, 3]))).toThrow(ValueDecodeError);
    expect(() => decodeValue(new Uint8Array([0x64, 0x6f, 99, 0]))).toThrow(/version 99/);
    expect(() => decodeValue(encodeValue("abc").slice(0, 5))).toThrow(/truncated/);
  });
});
