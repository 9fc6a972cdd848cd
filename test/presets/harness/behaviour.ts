import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, it } from "vitest";

/** Sends a request to the Worker under test; `path` starts with `/`. */
export type WorkerFetch = (path: string, init?: RequestInit) => Promise<Response>;

async function json(response: Response): Promise<unknown> {
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json();
}

/**
 * The one behaviour suite every preset's output must pass: the fixture app's DO classes through
 * SQL, KV, alarms, RPC, stub fetch and env vars. `target` names the output in test titles.
 */
export function behaviourSuite(target: string, fetchWorker: () => WorkerFetch): void {
  const get = (path: string) => fetchWorker()(path).then(json);
  const send = (method: string, path: string, body?: unknown) =>
    fetchWorker()(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }) }).then(json);

  it(`${target}: passes wrangler vars, including JSON values, to env`, async () => {
    expect(await get("/vars")).toEqual({ greeting: "hello from the fixture", limits: { maxNotes: 3 } });
  });

  it(`${target}: keeps SQL state per object and calls methods over RPC`, async () => {
    expect(await send("POST", "/counter/alpha?by=2")).toEqual({ value: 2 });
    expect(await send("POST", "/counter/alpha?by=3")).toEqual({ value: 5 });
    expect(await send("POST", "/counter/beta")).toEqual({ value: 1 });
    const viaFetch = (await get("/counter/alpha")) as { id: string; value: number; method: string };
    expect(viaFetch).toMatchObject({ value: 5, method: "GET" });
    expect(viaFetch.id).toMatch(/^[0-9a-f]{64}$/);
  });

  it(`${target}: re-throws an RPC method's error in the caller with its message`, async () => {
    expect(await get("/fail?message=the%20object%20said%20no")).toEqual({ caught: "the object said no" });
  });

  it(`${target}: lists KV entries in key order with structured values and a limit from vars`, async () => {
    expect(await send("PUT", "/notes/shelf/b-second", { n: 2 })).toEqual({ stored: true, count: 1 });
    expect(await send("PUT", "/notes/shelf/a-first", { n: 1 })).toEqual({ stored: true, count: 2 });
    expect(await send("PUT", "/notes/shelf/c-third", [3])).toEqual({ stored: true, count: 3 });
    expect(await send("PUT", "/notes/shelf/d-fourth", 4)).toEqual({ stored: false, count: 3 });
    const all = (await get("/notes/shelf")) as { key: string }[];
    expect(all).toEqual([
      { key: "a-first", value: { n: 1 }, dateKept: true, setKept: true },
      { key: "b-second", value: { n: 2 }, dateKept: true, setKept: true },
      { key: "c-third", value: [3], dateKept: true, setKept: true },
    ]);
    expect(((await get("/notes/shelf?prefix=b")) as { key: string }[]).map((note) => note.key)).toEqual(["b-second"]);
    expect(await get("/notes/other-shelf")).toEqual([]);
  });

  it(`${target}: fires an alarm and clears it`, async () => {
    const { alarm } = (await send("POST", "/reminder/soon?delay=50")) as { alarm: number };
    expect(alarm).toBeGreaterThan(0);
    let status = (await get("/reminder/soon")) as { fired: number; alarm: number | null };
    for (const deadline = Date.now() + 15_000; status.fired === 0 && Date.now() < deadline; ) {
      await new Promise((done) => setTimeout(done, 50));
      status = (await get("/reminder/soon")) as { fired: number; alarm: number | null };
    }
    expect(status).toEqual({ fired: 1, alarm: null });
  });

  it(`${target}: derives the same id from the same name and round-trips it through idFromString`, async () => {
    const first = (await get("/ids/some-name")) as { id: string; same: boolean };
    expect(first.id).toMatch(/^[0-9a-f]{64}$/);
    expect(first.same).toBe(true);
    expect(await get("/ids/some-name")).toEqual(first);
    expect(((await get("/ids/other-name")) as { id: string }).id).not.toBe(first.id);
  });

  it(`${target}: hands an origin's redirect back to the client from fetch(url, request), as workerd's incoming requests ask not to follow`, async () => {
    const origin = createServer((_, res) => res.writeHead(302, { location: "/elsewhere" }).end());
    await new Promise<void>((listening) => origin.listen(0, "127.0.0.1", listening));
    try {
      const to = `http://127.0.0.1:${(origin.address() as AddressInfo).port}/start`;
      const response = await fetchWorker()(`/proxy?to=${encodeURIComponent(to)}`, { redirect: "manual" });
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toBe("/elsewhere");
    } finally {
      origin.close();
    }
  });

  it(`${target}: answers unknown routes from the Worker's own fetch`, async () => {
    const response = await fetchWorker()("/no/such/route");
    expect(response.status).toBe(404);
    expect(await response.text()).toBe("not found");
  });
}
