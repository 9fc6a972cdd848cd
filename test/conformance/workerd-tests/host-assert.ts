/**
 * `node:assert` for the edge-runtime bundle, which has no Node modules: the host's (Node's)
 * assert, handed over through the edge context as `__hostAssert`.
 */
import type * as NodeAssert from "node:assert";

const assert = (globalThis as unknown as { __hostAssert: typeof NodeAssert }).__hostAssert;

export default assert;
export const { deepEqual, deepStrictEqual, equal, fail, match, notDeepStrictEqual, notEqual, notStrictEqual, ok, rejects, strictEqual, throws, doesNotThrow, doesNotReject } = assert;
