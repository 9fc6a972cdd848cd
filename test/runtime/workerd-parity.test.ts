import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createWorker, type Worker } from "../../src/runtime/worker";
import * as probe from "./helpers/parity-worker";

// Cases that came up after the conformance suite was written; the same Worker on both.
let mf: Miniflare;
let shim: Worker;
beforeAll(async () => {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL("./helpers/parity-worker.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    write: false,
    external: ["cloudflare:workers"],
    logLevel: "silent",
  });
  mf = new Miniflare({
    modules: true,
    script: bundle.outputFiles[0]!.text,
    compatibilityDate: "2025-09-01",
    durableObjects: { PROBE: { className: "Probe", useSQLite: true }, ROOM: { className: "Room", useSQLite: true } },
  });
  shim = await createWorker(probe, { durableObjects: { PROBE: { className: "Probe" }, ROOM: { className: "Room" } } });
});
afterAll(async () => {
  await mf.dispose();
  await shim.dispose();
});

it("stores rowids beyond 2^53 like workerd", async () => {
  const onWorkerd = await (await mf.dispatchFetch("http://probe/rowids")).json();
  const onShim = await (await shim.fetch(new Request("http://probe/rowids"))).json();
  expect(onShim).toEqual(onWorkerd);
  expect(onShim).toEqual([
    { id: "9007199254740993", asNumber: 9007199254740992, x: "b" },
    { id: "1152921504606846976", asNumber: 1152921504606846976, x: "a" },
  ]);
});

it("runs the WebSocket hibernation API like workerd: messages, a throwing handler, the close handshake", async () => {
  const errors: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void errors.push(args);
  try {
    const onWorkerd = await (await mf.dispatchFetch("http://probe/websocket")).json();
    const onShim = await (await shim.fetch(new Request("http://probe/websocket"))).json();
    expect(onShim).toEqual(onWorkerd);
    expect(onShim).toMatchObject({ status: 101, got: ["echo:hello"], closeEvent: [4000, "server closes too"], clientState: 3 });
  } finally {
    console.error = original;
  }
});

it("reads what follows the last statement of an exec as workerd does: whitespace ends it, anything else is one more", async () => {
  const onWorkerd = await (await mf.dispatchFetch("http://probe/statement-tails")).json();
  const onShim = await (await shim.fetch(new Request("http://probe/statement-tails"))).json();
  expect(onShim).toEqual(onWorkerd);
  const empty = { error: "Error: SQL code did not contain a statement." };
  expect(onShim).toMatchObject({
    tab: { rows: [{ a: 1 }] },
    verticalTabInside: { rows: [{ b: 2 }] },
    blockComment: empty,
    writeBeforeComment: empty,
    written: { rows: [{ x: 1 }] },
    errorAfterLeadingComment: { error: 'Error: near "SELEC": syntax error at offset 8: SQLITE_ERROR' },
    errorAfterSpace: { error: 'Error: near "SELEC": syntax error at offset 0: SQLITE_ERROR' },
  });
});

it("lists hibernatable WebSockets in workerd's order: newest first, but oldest first for a tag", async () => {
  const onWorkerd = await (await mf.dispatchFetch("http://probe/websocket-order")).json();
  const onShim = await (await shim.fetch(new Request("http://probe/websocket-order"))).json();
  expect(onShim).toEqual(onWorkerd);
  expect(onShim).toEqual({
    accepted: { all: ["d", "c", "b", "a"], odd: ["a", "c"], even: ["b", "d"] },
    afterClose: { all: ["d", "c", "a"], odd: ["a", "c"], even: ["d"] },
    afterAnother: { all: ["e", "d", "c", "a"], odd: ["a", "c", "e"], even: ["d"] },
  });
});

it("keeps a socket the object closed listed until the client answers, then runs its close handler, as workerd does", async () => {
  const onWorkerd = await (await mf.dispatchFetch("http://probe/websocket-kick")).json();
  const onShim = await (await shim.fetch(new Request("http://probe/websocket-kick"))).json();
  expect(onShim).toEqual(onWorkerd);
  expect(onShim).toEqual({
    kicked: { state: 2, listed: 1 },
    events: [[4001, "kicked", 2]],
    beforeReply: { clientState: 2, report: { open: 1 } },
    afterReply: { clientState: 3, report: { log: [["close", 4002, "ok, leaving", true, 3, 1]], open: 0 } },
  });
});

it("applies workerd's hibernation API limits and messages: tags, attachments, auto-responses, accepting twice", async () => {
  const onWorkerd = await (await mf.dispatchFetch("http://probe/websocket-limits")).json();
  const onShim = await (await shim.fetch(new Request("http://probe/websocket-limits"))).json();
  expect(onShim).toEqual(onWorkerd);
  const error = (message: string, name = "Error") => ({ error: `${name}: ${message}`, name });
  expect(onShim).toMatchObject({
    acceptTwice: error("Cannot call `acceptWebSocket()` if the WebSocket was already accepted via `accept()`"),
    tagsOfListened: error("only hibernatable websockets can have tags."),
    duplicateTagsListed: { ok: ["d", "e"] },
    wideTag: error(`"${"é".repeat(129)}" is longer than the max tag length (256 characters).`),
    attachment20000: error("A WebSocket 'attachment' cannot be larger than 16384 bytes.'attachment' was 20006 bytes."),
    attachmentTwoByte: error("A WebSocket 'attachment' cannot be larger than 16384 bytes.'attachment' was 18006 bytes."),
    attachmentDoubles: error("A WebSocket 'attachment' cannot be larger than 16384 bytes.'attachment' was 18909 bytes."),
    attachmentObject: { ok: null },
    wideAutoResponse: error("Request cannot be larger than 2048 bytes. A request of size 2050 was provided.", "RangeError"),
  });
});

it("runs transactions like workerd: nested ones inside, none of a rolled-back one's calls, side-by-side ones in turn", async () => {
  const onWorkerd = await (await mf.dispatchFetch("http://probe/nested-transactions")).json();
  const onShim = await (await shim.fetch(new Request("http://probe/nested-transactions"))).json();
  expect(onShim).toEqual(onWorkerd);
  expect(onShim).toMatchObject({
    nestedAfterAwait: { ok: "done" },
    innerRollback: { ok: [3, null] },
    readOnlyAfterRollback: {
      ok: {
        get: { error: "Error: Cannot get() on rolled back transaction" },
        deleteAll: { error: "Error: Cannot call deleteAll() within a transaction" },
      },
    },
    sideBySide: { ok: [[0, 1, 2], 3] },
    after: [["a", 1], ["b", 2], ["c", 3], ["n", 3]],
  });
});

it("holds other calls while a transaction runs, so its rollback cannot undo their writes, as workerd does", async () => {
  const onWorkerd = await (await mf.dispatchFetch("http://probe/transaction-isolation")).json();
  const onShim = await (await shim.fetch(new Request("http://probe/transaction-isolation"))).json();
  expect(onShim).toEqual(onWorkerd);
  expect(onShim).toEqual({ events: ["closure ends", "quick write starts"], entries: [["quick", 2]] });
});

it("surfaces an SQL error past the first row where workerd's lazy stepping meets it, and steps earlier statements once", async () => {
  const onWorkerd = await (await mf.dispatchFetch("http://probe/late-sql-error")).json();
  const onShim = await (await shim.fetch(new Request("http://probe/late-sql-error"))).json();
  expect(onShim).toEqual(onWorkerd);
  const error = "Error: malformed JSON: SQLITE_ERROR";
  expect(onShim).toEqual({
    iterated: ["exec returned", 1, { v: 1 }, error],
    secondRow: ["exec returned", ["v"], error],
    firstRow: [error],
    toArray: [error],
    raw: [error],
    beforeLast: [[{ ok: 1 }]],
  });
});

it("refuses deleteAll() inside a transaction and starts an async transaction after a transactionSync that started it, as workerd does", async () => {
  const onWorkerd = await (await mf.dispatchFetch("http://probe/transaction-mix")).json();
  const onShim = await (await shim.fetch(new Request("http://probe/transaction-mix"))).json();
  expect(onShim).toEqual(onWorkerd);
  expect(onShim).toEqual({
    deleteAllInside: { error: "Error: Cannot call deleteAll() within a transaction" },
    afterDeleteAll: { ok: ["keep"] },
    syncThrowInside: { ok: [1, null] },
    asyncInsideSync: { ok: null },
    alarmRolledBack: { ok: null },
    end: { ok: ["keep", "outer", "x"] },
  });
});
