/**
 * Key expectations written down by hand (from Cloudflare's documented behaviour, confirmed on
 * workerd). They run against both runtimes: matching workerd is not enough if workerd's
 * answer here ever changes under us.
 */
import { expect } from "vitest";

const TRANSACTION_HINT = "please use the state.storage.transaction() or state.storage.transactionSync() APIs";

type Check = (response: unknown) => void;

/** The scenario's result, failing clearly when the scenario itself threw. */
function resultOf(response: unknown): unknown {
  expect(response).toHaveProperty("result");
  return (response as { result: unknown }).result;
}

const threw = (name: string, message: string | ReturnType<typeof expect.stringContaining>) => ({
  threw: { name, message },
});

export const PINNED: Record<string, Check> = {
  "sql bookmarks": (response) => {
    const zeros = "0".repeat(32);
    expect(resultOf(response)).toEqual({
      first: { ok: `00000000-00000000-00000000-${zeros}` },
      second: { ok: `00000000-00000001-00000000-${zeros}` },
      forTime: threw("Error", "This Durable Object's storage back-end does not implement point-in-time recovery."),
      restore: threw("Error", "This Durable Object's storage back-end does not implement point-in-time recovery."),
    });
  },
  "sql value types": (response) => {
    const rows = resultOf(response);
    expect(rows).toContainEqual({ v: { type: "ArrayBuffer", bytes: [0, 1, 254, 255] }, storage: "blob" });
    expect(rows).toContainEqual({ v: null, storage: "null" });
    expect(rows).toContainEqual({ v: "ünï😀", storage: "text" });
    expect(rows).toContainEqual({ v: 9007199254740991, storage: "real" });
  },
  "sql integers beyond 2^53": (response) => {
    expect(resultOf(response)).toMatchObject({
      maxSafePlusTwo: { ok: { v: 9007199254740992 } },
      textOfBig: { ok: { v: "9007199254740993" } },
    });
  },
  "sql errors": (response) => {
    const hint = threw("Error", expect.stringContaining(TRANSACTION_HINT));
    expect(resultOf(response)).toMatchObject({
      unknownTable: threw("Error", "no such table: nope: SQLITE_ERROR"),
      uniqueConstraint: threw("Error", expect.stringMatching(/^UNIQUE constraint failed: uniq\.k: SQLITE_CONSTRAINT/)),
      begin: hint,
      commit: hint,
      rollback: hint,
      savepoint: hint,
      beginInMulti: hint,
    });
  },
  "sql column affinity": (response) => {
    // JS numbers bind as REAL: a TEXT column stores 3 as '3.0', a BLOB column keeps a REAL.
    expect(resultOf(response)).toMatchObject({
      rows: { ok: [{ i: 1, ti: "integer", t: "3.0", tt: "text", b: 4, tb: "real" }, { i: 1.5, ti: "real" }] },
    });
  },
  "sql RETURNING": (response) => {
    expect(resultOf(response)).toMatchObject({
      inserted: { columnNames: ["id", "name"], rows: [{ id: 4, name: "d" }, { id: 5, name: "e" }], rowsWritten: 2 },
    });
  },
  "sql cursor methods": (response) => {
    expect(resultOf(response)).toMatchObject({
      rawRows: [[1, "a"], [2, "b"], [3, "c"]],
      oneOfTwo: threw("Error", "Expected exactly one result from SQL query, but got multiple results."),
      afterIteration: { rowsRead: 3, rowsWritten: 0 },
    });
  },
  "sql transactionSync": (response) => {
    expect(resultOf(response)).toMatchObject({ rolledBack: threw("RangeError", "undo"), afterRollback: { ok: 1 } });
  },
  "kv list options and key order": (response) => {
    expect(resultOf(response)).toMatchObject({
      // Code point order: "\uFFFF" before "😀" although JS's UTF-16 `<` says otherwise.
      reverse: { ok: ["😀", "\uFFFF", "\uE000", "é"] },
      startAfter: { ok: ["a\u0000b", "ab"] },
      prefix: { ok: ["p:1", "p:2", "p:3"] },
    });
  },
  "kv structured-clone round trips": (response) => {
    expect(resultOf(response)).toMatchObject({
      bigint: { ok: { type: "BigInt", value: (2n ** 70n).toString() } },
      map: { ok: { type: "Map", entries: [["k", 1], [2, { deep: [1, 2] }]] } },
      cyclic: { ok: { name: "loop", self: { type: "Circular", path: "$" } } },
    });
  },
  "kv uncloneable values": (response) => {
    expect(resultOf(response)).toMatchObject({
      symbol: threw("DataCloneError", "Symbol(s) could not be cloned."),
      afterFailures: { ok: { type: "undefined" } },
    });
  },
  "kv synchronous API (storage.kv)": (response) => {
    expect(resultOf(response)).toMatchObject({
      putGet: { ok: { type: "Map", entries: [["m", { type: "BigInt", value: "1" }]] } },
      seenByAsync: { ok: { type: "Map" } },
      asyncSeenBySync: { ok: "from async" },
      afterRollback: { ok: { type: "undefined" } },
    });
  },
  "input gate keeps read-modify-write atomic": (response) => {
    expect(resultOf(response)).toEqual({ sorted: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], final: 11 });
  },
  "alarm retries after a throw": (response) => {
    expect(resultOf(response)).toMatchObject({
      state: {
        runs: [
          { retryCount: 0, isRetry: false, pendingDuringRun: false },
          { retryCount: 1, isRetry: true, pendingDuringRun: false },
        ],
      },
    });
  },
  "rpc functions and RpcTargets cross by reference": (response) => {
    expect(resultOf(response)).toMatchObject({ callback: { ok: 20 }, counter: { ok: [1, 2] } });
  },
  "rpc thrown errors": (response) => {
    expect(resultOf(response)).toMatchObject({
      rangeError: { threw: { name: "RangeError", message: "out of range", remote: true } },
    });
  },
  "rpc missing method": (response) => {
    expect(resultOf(response)).toMatchObject({
      missing: threw("TypeError", 'The RPC receiver does not implement the method "nope".'),
    });
  },
  "ids from bad strings": (response) => {
    expect(resultOf(response)).toMatchObject({
      tooShort: threw("TypeError", "Invalid Durable Object ID: must be 64 hex digits"),
      valid: { ok: true },
    });
  },
  "ids from names": (response) => {
    expect(resultOf(response)).toMatchObject({ hex64: true, deterministic: true, differs: true, name: "alpha" });
  },
  "blockConcurrencyWhile in a method holds other calls": (response) => {
    expect(resultOf(response)).toMatchObject({ arrived: false });
  },
  "calls interleave while a method awaits another object": (response) => {
    expect(resultOf(response)).toMatchObject({ arrived: true });
  },
  "writes of failed calls": (response) => {
    // A failed call keeps its writes; a failed blockConcurrencyWhile (an object reset) does not.
    expect(resultOf(response)).toMatchObject({ afterBlock: { ok: { call: true, block: { type: "undefined" } } } });
  },
  "constructor that throws": (response) => {
    expect(resultOf(response)).toMatchObject({
      first: threw("RangeError", "constructor failed"),
      newStub: { ok: { attempt: 2, storedByFailedAttempt: { type: "undefined" } } },
    });
  },
  "ctx.abort resets the object": (response) => {
    expect(resultOf(response)).toMatchObject({
      abort: threw("Error", "aborted on purpose"),
      stored: { ok: { abort: { type: "undefined" } } },
    });
  },
  "calls interleave while a method awaits": (response) => {
    expect(resultOf(response)).toMatchObject({ arrived: true });
  },
};
