import { once } from "node:events";
import { request as httpRequest, type ClientRequest, type IncomingMessage } from "node:http";
import { connect } from "node:net";

/** What a raw client got back: the status (0 when the server closed without answering) and body, and how much it had sent by then. */
export interface DripResult {
  status: number;
  /** The answer's first line, reason phrase included (empty when there was no answer). */
  statusLine: string;
  /** The answer's header lines, as sent. */
  head: string;
  body: string;
  /** Pieces of `drip` sent before the server closed the connection. */
  sent: number;
}

/**
 * Sends `head` at once, then the pieces of `drip` one every `everyMs`, and waits until the server
 * closes the connection (`head` should ask for `Connection: close`, so that an answer after
 * the last byte closes it too).
 */
export async function dripRequest(base: string, head: string, drip: readonly string[], everyMs: number): Promise<DripResult> {
  const { hostname, port } = new URL(base);
  const socket = connect(Number(port), hostname);
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  socket.on("error", () => undefined);
  // Not events.once: a reset connection (also a way to be cut off) emits "error" before "close".
  const closed = new Promise((resolve) => socket.on("close", resolve));
  socket.write(head);
  let sent = 0;
  const timer = setInterval(() => {
    if (sent < drip.length && !socket.destroyed) socket.write(drip[sent++] ?? "");
  }, everyMs);
  await closed;
  clearInterval(timer);
  const text = Buffer.concat(chunks).toString();
  const split = text.indexOf("\r\n\r\n");
  const headers = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? "" : text.slice(split + 4);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1] ?? 0);
  const statusLine = headers.split("\r\n")[0] ?? "";
  return { status, statusLine, head: headers, body: /transfer-encoding: chunked/i.test(headers) ? dechunk(body) : body, sent };
}

/** Sends `head` as it is (plus `Connection: close`) and reads the answer until the server closes. */
export async function rawRequest(base: string, head: string): Promise<{ status: number; body: string }> {
  const { status, body } = await dripRequest(base, head.replace(/\r\n\r\n$/, "\r\nConnection: close\r\n\r\n"), [], 1000);
  return { status, body };
}

function dechunk(body: string): string {
  let out = "";
  for (let at = 0; ; ) {
    const lineEnd = body.indexOf("\r\n", at);
    const size = parseInt(body.slice(at, lineEnd), 16);
    if (!size) return out;
    out += body.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}

/** An upload in progress over node:http, written piece by piece without ever holding the whole body. */
export interface Upload {
  /** Writes `bytes` more (repeating one 1 MiB piece), waiting whenever the socket is full. */
  write(bytes: number): Promise<void>;
  /** The answer, once the body is complete (or the server answered early). */
  response: Promise<{ status: number; body: string }>;
  request: ClientRequest;
}

const PIECE = Buffer.alloc(1024 * 1024, 0x61);

/** Starts `PUT {base}/v1/object?key=…` declaring `size` bytes; nothing of the body is sent yet. */
export function startUpload(base: string, token: string, key: string, size: number): Upload {
  const url = new URL(`${base}/v1/object`);
  url.searchParams.set("key", key);
  const request = httpRequest(url, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-length": String(size) },
    agent: false,
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    request.on("response", (answer: IncomingMessage) => {
      const parts: Buffer[] = [];
      answer.on("data", (part: Buffer) => parts.push(part));
      answer.on("end", () => resolve({ status: answer.statusCode ?? 0, body: Buffer.concat(parts).toString() }));
    });
    request.on("error", reject);
  });
  let written = 0;
  return {
    request,
    response,
    async write(bytes) {
      for (let left = bytes; left > 0; ) {
        const piece = PIECE.subarray(0, Math.min(left, PIECE.length));
        left -= piece.length;
        written += piece.length;
        if (!request.write(piece)) await once(request, "drain");
      }
      if (written === size) request.end();
    },
  };
}
