// Runs unchanged on workerd (miniflare) and on the shim: workerd-parity.test.ts compares them.
import { DurableObject, type WebSocket, type WebSocketRequestResponsePair as ResponsePair } from "cloudflare:workers";

// A global on workerd, and off Cloudflare once createWorker has run.
declare const WebSocketPair: new () => Record<0 | 1, WebSocket>;
declare const WebSocketRequestResponsePair: new (request: string, response: string) => ResponsePair;

export class Probe extends DurableObject {
  bigRowids(): unknown {
    const sql = this.ctx.storage.sql;
    sql.exec("CREATE TABLE big(x)");
    sql.exec("INSERT INTO big(rowid, x) VALUES (1152921504606846976, 'a'), (9007199254740993, 'b')");
    return sql.exec("SELECT CAST(rowid AS TEXT) AS id, rowid AS asNumber, x FROM big ORDER BY rowid").toArray();
  }

  /** Transactions inside transactions, after a rollback, and side by side. */
  async nestedTransactions(): Promise<unknown> {
    const storage = this.ctx.storage;
    const outcome = async (fn: () => Promise<unknown>) => {
      try {
        return { ok: await Promise.race([fn(), new Promise((resolve) => setTimeout(() => resolve("hung"), 500))]) };
      } catch (error) {
        return { error: String(error) };
      }
    };
    const syncNested = await outcome(() => storage.transaction(async () => storage.transaction(async (txn) => txn.put("a", 1))));
    const nestedAfterAwait = await outcome(() =>
      storage.transaction(async (txn) => {
        await txn.get("a");
        await storage.transaction(async (inner) => inner.put("b", 2));
        return "done";
      }),
    );
    const innerRollback = await outcome(() =>
      storage.transaction(async (txn) => {
        await txn.put("c", 3);
        await storage.transaction(async (inner) => {
          await inner.put("d", 4);
          inner.rollback();
        });
        return [await txn.get("c"), await txn.get("d")];
      }),
    );
    const readOnlyAfterRollback = await outcome(() =>
      storage.transaction(async (txn) => {
        txn.rollback();
        const tries: Record<string, unknown> = {};
        for (const [name, fn] of Object.entries({
          get: () => txn.get("a"),
          list: () => txn.list(),
          delete: () => txn.delete("a"),
          getAlarm: () => txn.getAlarm(),
          deleteAll: () => txn.deleteAll(),
          deleteAlarm: () => txn.deleteAlarm(),
        })) {
          try {
            tries[name] = { ok: (await fn()) ?? null };
          } catch (error) {
            tries[name] = { error: String(error) };
          }
        }
        return tries;
      }),
    );
    const bump = () =>
      storage.transaction(async (txn) => {
        const seen = (await txn.get<number>("n")) ?? 0;
        await txn.put("n", seen + 1);
        return seen;
      });
    const sideBySide = await outcome(async () => [await Promise.all([bump(), bump(), bump()]), await storage.get("n")]);
    const after = [...(await storage.list()).entries()];
    return { syncNested, nestedAfterAwait, innerRollback, readOnlyAfterRollback, sideBySide, after };
  }

  /** An error at some row (`x = ?`): where does it surface? */
  lateSqlError(): unknown {
    const sql = this.ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS late(x); DELETE FROM late; INSERT INTO late VALUES (1), (2), (3), (4)");
    const failing = "SELECT CASE WHEN x = ? THEN json('not json') ELSE x END AS v FROM late";
    const read = (read: () => unknown) => {
      const seen: unknown[] = [];
      try {
        read.call(seen);
      } catch (error) {
        seen.push(String(error));
      }
      return seen;
    };
    return {
      iterated: read(function (this: unknown[]) {
        const cursor = sql.exec(failing, 3);
        this.push("exec returned", cursor.rowsRead);
        for (const row of cursor) this.push(row);
      }),
      secondRow: read(function (this: unknown[]) {
        const cursor = sql.exec(failing, 2);
        this.push("exec returned", cursor.columnNames);
        this.push(cursor.next());
      }),
      firstRow: read(function (this: unknown[]) {
        sql.exec(failing, 1);
      }),
      toArray: read(function (this: unknown[]) {
        this.push(sql.exec(failing, 4).toArray());
      }),
      raw: read(function (this: unknown[]) {
        this.push([...sql.exec(failing, 3).raw()]);
      }),
      beforeLast: read(function (this: unknown[]) {
        this.push(sql.exec("SELECT CASE WHEN x = 3 THEN json('not json') ELSE x END AS v FROM late; SELECT 1 AS ok").toArray());
      }),
    };
  }

  async transactionMix(): Promise<unknown> {
    const storage = this.ctx.storage;
    const outcome = async (fn: () => unknown) => {
      try {
        return { ok: (await fn()) ?? null };
      } catch (error) {
        return { error: String(error) };
      }
    };
    await storage.put("keep", 1);
    return {
      deleteAllInside: await outcome(() => storage.transaction(async () => storage.deleteAll())),
      afterDeleteAll: await outcome(async () => [...(await storage.list()).keys()]),
      syncThrowInside: await outcome(() =>
        storage.transaction(async (txn) => {
          await txn.put("outer", 1);
          try {
            storage.transactionSync(() => {
              storage.kv.put("inner", 2);
              throw new Error("inner fails");
            });
          } catch {}
          return [await txn.get("outer"), await txn.get("inner")];
        }),
      ),
      asyncInsideSync: await outcome(() => storage.transactionSync(() => storage.transaction(async (txn) => txn.put("x", 1)))),
      alarmRolledBack: await outcome(async () => {
        await storage.transaction(async (txn) => {
          await txn.setAlarm(Date.now() + 60_000);
          txn.rollback();
        });
        return storage.getAlarm();
      }),
      end: await outcome(async () => [...(await storage.list()).keys()]),
    };
  }

  override async alarm(): Promise<void> {}

  readonly #events: string[] = [];

  /** A transaction that waits on a timer, then rolls back. */
  async slowRollback(): Promise<void> {
    await this.ctx.storage.transaction(async (txn) => {
      await txn.put("slow", 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      txn.rollback();
      this.#events.push("closure ends");
    });
  }

  async quickWrite(): Promise<void> {
    this.#events.push("quick write starts");
    await this.ctx.storage.put("quick", 2);
  }

  async stored(): Promise<unknown> {
    return { events: this.#events, entries: [...(await this.ctx.storage.list()).entries()] };
  }

  /** What may follow the last statement of an exec (workerd reads most of it as one more). */
  statementTails(): Record<string, unknown> {
    const sql = this.ctx.storage.sql;
    const run = (query: string, ...bindings: unknown[]) => {
      try {
        return { rows: sql.exec(query, ...bindings).toArray() };
      } catch (error) {
        return { error: String(error) };
      }
    };
    sql.exec("CREATE TABLE tail(x)");
    return {
      spacesAndNewlines: run("SELECT 1 AS a; \n \n"),
      tab: run("SELECT 1 AS a;\t"),
      crlf: run("SELECT 1 AS a;\r\n"),
      formFeed: run("SELECT 1 AS a;\f"),
      verticalTab: run("SELECT 1 AS a;\v"),
      nbsp: run("SELECT 1 AS a;\u00a0"),
      verticalTabInside: run("SELECT 1 AS a;\v SELECT 2 AS b"),
      blockComment: run("SELECT 1 AS a; /* done */"),
      commentWithoutSemicolon: run("SELECT 1 AS a -- done"),
      commentBetween: run("SELECT 1 AS a; /* next */ SELECT 2 AS b"),
      bindingBeforeComment: run("SELECT ? AS v; -- done", 1),
      writeBeforeComment: run("INSERT INTO tail VALUES (1); -- done"),
      written: run("SELECT x FROM tail"),
      onlyComment: run("-- nothing here"),
      errorAfterLeadingComment: run("/* c */ SELEC 1"),
      errorAfterLeadingSpace: run("  SELEC 1"),
      errorAfterComment: run("SELECT 1; /* c */ SELEC 1"),
      errorAfterSpace: run("SELECT 1;   SELEC 1"),
      columnAfterComment: run("SELECT 1; -- c\n SELECT nope FROM tail"),
      tooManyVariablesAfterComment: run(`/* c */ SELECT ${"?, ".repeat(100)}?`),
      tooManyVariablesLater: run(`SELECT 1;  SELECT ${"?, ".repeat(100)}?`),
    };
  }
}

/** The hibernation API, driven from the Worker through a socket pair. */
export class Room extends DurableObject {
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/report") {
      return Response.json({ log: await this.ctx.storage.get("log"), open: this.ctx.getWebSockets().length });
    }
    if (url.pathname === "/kick") {
      const target = this.ctx.getWebSockets().find((ws) => ws.deserializeAttachment() === url.searchParams.get("name"));
      target?.close(4001, "kicked");
      return Response.json({ state: target?.readyState, listed: this.ctx.getWebSockets().length });
    }
    if (url.pathname === "/limits") return Response.json(this.#limits());
    if (url.pathname === "/order") {
      const names = (tag?: string) => this.ctx.getWebSockets(tag).map((ws) => ws.deserializeAttachment() as string);
      return Response.json({ all: names(), odd: names("odd"), even: names("even") });
    }
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1], url.searchParams.getAll("tag").concat("everyone"));
    pair[1].serializeAttachment(url.searchParams.get("name"));
    return new Response(null, { status: 101, webSocket: pair[0] } as ResponseInit);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    await this.#log(["message", message, ws.readyState, this.ctx.getTags(ws)]);
    if (message === "boom") throw new Error("handler failed");
    ws.send(`echo:${String(message)}`);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string, wasClean: boolean): Promise<void> {
    await this.#log(["close", code, reason, wasClean, ws.readyState, this.ctx.getWebSockets().length]);
    ws.close(code, "server closes too");
  }

  #limits(): Record<string, unknown> {
    const attempt = (fn: () => unknown) => {
      try {
        return { ok: fn() ?? null };
      } catch (error) {
        return { error: String(error), name: (error as Error).name };
      }
    };
    const fresh = () => new WebSocketPair()[1];
    const accepted = fresh();
    this.ctx.acceptWebSocket(accepted);
    const listened = fresh();
    listened.accept();
    return {
      elevenTags: attempt(() => this.ctx.acceptWebSocket(fresh(), Array.from({ length: 11 }, (_, i) => `t${i}`))),
      duplicateTags: attempt(() => this.ctx.acceptWebSocket(fresh(), ["x", "x"])),
      longTag: attempt(() => this.ctx.acceptWebSocket(fresh(), ["x".repeat(257)])),
      tag256: attempt(() => this.ctx.acceptWebSocket(fresh(), ["x".repeat(256)])),
      emptyTag: attempt(() => this.ctx.acceptWebSocket(fresh(), [""])),
      pairAlone: attempt(() => void new WebSocketRequestResponsePair("x".repeat(2049), "y")),
      duplicateTagsListed: attempt(() => {
        const socket = fresh();
        this.ctx.acceptWebSocket(socket, ["d", "e", "d"]);
        return this.ctx.getTags(socket);
      }),
      elevenDistinctOfTwelve: attempt(() => this.ctx.acceptWebSocket(fresh(), [...Array.from({ length: 10 }, (_, i) => `t${i}`), "t0", "t1"])),
      wideTag: attempt(() => this.ctx.acceptWebSocket(fresh(), ["é".repeat(129)])),
      wideAutoResponse: attempt(() => this.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("é".repeat(1025), "y"))),
      attachmentWide: attempt(() => accepted.serializeAttachment("é".repeat(16000))),
      attachmentTwoByte: attempt(() => accepted.serializeAttachment("€".repeat(9000))),
      attachmentObject: attempt(() => accepted.serializeAttachment({ list: Array.from({ length: 3000 }, (_, i) => i * 1000), name: "n" })),
      attachmentBytes: attempt(() => accepted.serializeAttachment(new Uint8Array(16380))),
      attachmentView: attempt(() => accepted.serializeAttachment({ view: new DataView(new ArrayBuffer(17000), 5, 10) })),
      attachmentDoubles: attempt(() => accepted.serializeAttachment(Array.from({ length: 2100 }, (_, i) => i + 0.5))),
      acceptTwice: attempt(() => this.ctx.acceptWebSocket(accepted)),
      acceptAfterAccept: attempt(() => this.ctx.acceptWebSocket(listened)),
      acceptThenListen: attempt(() => accepted.accept()),
      tagsOfUnaccepted: attempt(() => this.ctx.getTags(fresh())),
      tagsOfListened: attempt(() => this.ctx.getTags(listened)),
      noAttachment: attempt(() => accepted.deserializeAttachment()),
      attachment2048: attempt(() => accepted.serializeAttachment("x".repeat(2048))),
      attachment4096: attempt(() => accepted.serializeAttachment("x".repeat(4096))),
      attachment20000: attempt(() => accepted.serializeAttachment("x".repeat(20000))),
      attachmentFunction: attempt(() => accepted.serializeAttachment(() => 1)),
      attachmentOfUnaccepted: attempt(() => {
        const socket = fresh();
        socket.serializeAttachment({ a: 1 });
        return socket.deserializeAttachment();
      }),
      autoResponseLong: attempt(() => this.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("x".repeat(2049), "y"))),
      autoResponseLongReply: attempt(() => this.ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("x", "y".repeat(2049)))),
      timestampOfUnaccepted: attempt(() => this.ctx.getWebSocketAutoResponseTimestamp(fresh())),
      listedAfterAll: this.ctx.getWebSockets().length,
    };
  }

  async #log(entry: unknown[]): Promise<void> {
    const log = (await this.ctx.storage.get<unknown[]>("log")) ?? [];
    await this.ctx.storage.put("log", [...log, entry]);
  }
}

type Env = { PROBE: { getByName(name: string): Probe }; ROOM: { getByName(name: string): { fetch(input: string, init?: RequestInit): Promise<Response> } } };

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function websocketScenario(env: Env): Promise<unknown> {
  const room = env.ROOM.getByName("room");
  const response = await room.fetch("http://room/", { headers: { Upgrade: "websocket" } });
  const socket = (response as Response & { webSocket: WebSocket }).webSocket;
  socket.accept();
  const got: unknown[] = [];
  socket.addEventListener("message", (event) => got.push((event as unknown as { data: unknown }).data));
  const closed = new Promise((resolve) =>
    socket.addEventListener("close", (event) => {
      const { code, reason } = event as unknown as { code: number; reason: string };
      resolve([code, reason]);
    }),
  );
  socket.send("hello");
  socket.send("boom");
  await pause(100);
  socket.close(4000, "bye");
  const closeEvent = await Promise.race([closed, pause(1000).then(() => "no close event")]);
  await pause(50);
  const report = await (await room.fetch("http://room/report")).json();
  return { status: response.status, got, closeEvent, clientState: socket.readyState, report };
}

/** The order getWebSockets() lists sockets in, as they are accepted and closed. */
async function websocketOrderScenario(env: Env): Promise<unknown> {
  const room = env.ROOM.getByName("ordered");
  const connect = async (name: string, tag: string) => {
    const response = await room.fetch(`http://room/?name=${name}&tag=${tag}`, { headers: { Upgrade: "websocket" } });
    const socket = (response as Response & { webSocket: WebSocket }).webSocket;
    socket.accept();
    return socket;
  };
  const order = async () => (await room.fetch("http://room/order")).json();
  const sockets = [];
  for (const [name, tag] of [["a", "odd"], ["b", "even"], ["c", "odd"], ["d", "even"]] as const) sockets.push(await connect(name, tag));
  const accepted = await order();
  sockets[1]!.close(1000, "b leaves");
  await pause(100);
  const afterClose = await order();
  await connect("e", "odd");
  return { accepted, afterClose, afterAnother: await order() };
}

/** The object closes a socket first: listed until the client answers, then its close handler runs. */
async function websocketKickScenario(env: Env): Promise<unknown> {
  const room = env.ROOM.getByName("kick");
  const response = await room.fetch("http://room/?name=k&tag=odd", { headers: { Upgrade: "websocket" } });
  const socket = (response as Response & { webSocket: WebSocket }).webSocket;
  socket.accept();
  const events: unknown[] = [];
  socket.addEventListener("close", (event) => {
    const { code, reason } = event as unknown as { code: number; reason: string };
    events.push([code, reason, socket.readyState]);
  });
  const kicked = await (await room.fetch("http://room/kick?name=k")).json();
  await pause(100);
  const beforeReply = { clientState: socket.readyState, report: await (await room.fetch("http://room/report")).json() };
  socket.close(4002, "ok, leaving");
  await pause(100);
  const afterReply = { clientState: socket.readyState, report: await (await room.fetch("http://room/report")).json() };
  return { kicked, events, beforeReply, afterReply };
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === "/websocket") return Response.json(await websocketScenario(env));
    if (pathname === "/websocket-limits") return env.ROOM.getByName("limits").fetch("http://room/limits");
    if (pathname === "/websocket-kick") return Response.json(await websocketKickScenario(env));
    if (pathname === "/websocket-order") return Response.json(await websocketOrderScenario(env));
    if (pathname === "/nested-transactions") return Response.json(await env.PROBE.getByName("nested").nestedTransactions());
    if (pathname === "/transaction-mix") return Response.json(await env.PROBE.getByName("mix").transactionMix());
    if (pathname === "/late-sql-error") return Response.json(await env.PROBE.getByName("late").lateSqlError());
    if (pathname === "/transaction-isolation") {
      const probe = env.PROBE.getByName("isolation");
      const slow = probe.slowRollback();
      await pause(20);
      await Promise.all([slow, probe.quickWrite()]);
      return Response.json(await probe.stored());
    }
    if (pathname === "/statement-tails") return Response.json(await env.PROBE.getByName("tails").statementTails());
    return Response.json(await env.PROBE.getByName(pathname).bigRowids());
  },
};
