/**
 * The comparison is only as sharp as the encoding: values that differ must encode
 * differently, or the conformance suite would pass vacuously.
 */
import { describe, expect, it } from "vitest";
import { encode } from "./worker/encode";

describe("encode keeps apart what JSON would blur", () => {
  const distinct: [string, unknown, unknown][] = [
    ["0 and -0", 0, -0],
    ["number and BigInt", 1, 1n],
    ["NaN and null", Number.NaN, null],
    ["undefined and null", undefined, null],
    ["ArrayBuffer and Uint8Array", new Uint8Array([1]).buffer, new Uint8Array([1])],
    ["Uint8Array and Int8Array", new Uint8Array([1]), new Int8Array([1])],
    ["Date and its time", new Date(5), 5],
    ["Map and object", new Map([["a", 1]]), { a: 1 }],
    ["Set and array", new Set([1]), [1]],
    ["TypeError and RangeError", new TypeError("x"), new RangeError("x")],
    ["hole and undefined element", [, 1], [undefined, 1]],
  ];
  it.each(distinct)("%s", (_label, a, b) => {
    expect(encode(a)).not.toEqual(encode(b));
  });

  it("encodes cycles by the path of the first visit", () => {
    const node: Record<string, unknown> = { name: "n" };
    node.self = node;
    expect(encode({ root: node })).toEqual({ root: { name: "n", self: { type: "Circular", path: "$.root" } } });
  });

  it("tags binary data with its bytes", () => {
    expect(encode(new Uint16Array([258]))).toEqual({ type: "Uint16Array", bytes: [2, 1] });
    expect(encode(new ArrayBuffer(2))).toEqual({ type: "ArrayBuffer", bytes: [0, 0] });
  });
});
