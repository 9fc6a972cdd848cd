import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";

/** A web `Request` for a node:http request (the body streams through). */
export function toWebRequest(req: IncomingMessage): Request {
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, item);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const body = hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : null;
  return new Request(url, { method: req.method ?? "GET", headers, body, duplex: "half" } as RequestInit);
}
