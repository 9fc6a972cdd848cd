/**
 * `node:assert` for the edge-runtime bundle, which has no Node modules: the host's (Node's)
 * assert, handed over through the edge context as `__hostAssert`.
 */
import type * as NodeAssert from "node:assert";

const host = (globalThis as unknown as { __hostAssert: typeof NodeAssert }).__hostAssert;
// A copy, callable as `assert()`: the host's module namespace cannot be changed, and the glue
// widens `rejects()` (glue.ts, `takeCallableThenables`).
const assert = Object.assign((value: unknown, message?: string) => host.ok(value, message), host) as typeof NodeAssert;

export default assert;
export const { deepEqual, deepStrictEqual, equal, fail, match, notDeepStrictEqual, notEqual, notStrictEqual, ok, rejects, strictEqual, throws, doesNotThrow, doesNotReject } = assert;
