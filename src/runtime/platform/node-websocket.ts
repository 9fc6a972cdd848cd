import { createHash } from "node:crypto";
import { STATUS_CODES, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { answerNodeRequest } from "./node-request";
import { abandon, acceptedUpgrade, OpenConnections, type AcceptedUpgrade } from "./websocket-bridge";

/**
 * The wire side of a Worker's WebSocket on node:http: the RFC 6455 handshake and framing
 * between the TCP socket and the `webSocket` end a 101 response carries.
 */
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const enum Opcode {
  Continuation = 0x0,
  Text = 0x1,
  Binary = 0x2,
  Close = 0x8,
  Ping = 0x9,
  Pong = 0xa,
}

/**
 * Answers an HTTP upgrade through the Worker: a 101 response with a `webSocket` is bridged to
 * the connection; any other response is written as it is and the connection closed. Pass the
 * server's `connections` so shutdown can close them: node:http waits for upgraded sockets.
 */
export async function upgrade(
  handle: (request: Request) => Promise<Response>,
  req: IncomingMessage,
  socket: Duplex,
  connections = new OpenConnections(),
): Promise<void> {
  try {
    let request: Request | undefined;
    const response = await answerNodeRequest((web) => handle((request = web)), req);
    const accepted = request && acceptedUpgrade(request, response);
    if (accepted) return bridgeWebSocket(req, socket, accepted, connections);
    const head = [`HTTP/1.1 ${response.status} ${response.statusText || STATUS_CODES[response.status] || ""}`, "Connection: close"];
    response.headers.forEach((value, name) => head.push(`${name}: ${value}`));
    socket.end(Buffer.concat([Buffer.from(`${head.join("\r\n")}\r\n\r\n`), Buffer.from(await response.arrayBuffer())]));
  } catch (error) {
    console.error(error);
    socket.end("HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n\r\n");
  }
}

/** Completes the upgrade and relays frames both ways until either side closes. */
function bridgeWebSocket(req: IncomingMessage, socket: Duplex, { socket: end, protocol }: AcceptedUpgrade, connections: OpenConnections): void {
  const key = req.headers["sec-websocket-key"];
  if (typeof key !== "string") {
    abandon(end);
    socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    return;
  }
  const accept = createHash("sha1").update(key + GUID).digest("base64");
  const headers = ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade", `Sec-WebSocket-Accept: ${accept}`];
  if (protocol) headers.push(`Sec-WebSocket-Protocol: ${protocol}`);
  socket.write(`${headers.join("\r\n")}\r\n\r\n`);

  // Once the close frame is out (or the socket gone), nothing more may be written.
  const events = connections.relay(end, {
    send(data) {
      if (!socket.writable) return;
      socket.write(typeof data === "string" ? frame(Opcode.Text, Buffer.from(data)) : frame(Opcode.Binary, Buffer.from(data)));
    },
    close(code, reason) {
      if (socket.writable) socket.end(frame(Opcode.Close, closePayload(code, reason)));
    },
  });
  const reader = new FrameReader((opcode, payload) => {
    if (opcode === Opcode.Text) events.message(payload.toString("utf8"));
    else if (opcode === Opcode.Binary) events.message(payload);
    else if (opcode === Opcode.Ping) socket.write(frame(Opcode.Pong, payload));
    else if (opcode === Opcode.Close) events.close(payload.length >= 2 ? payload.readUInt16BE(0) : 1005, payload.subarray(2).toString("utf8"));
  });
  socket.on("data", (chunk: Buffer) => {
    try {
      reader.push(chunk);
    } catch {
      socket.destroy(); // a protocol error: drop the connection
    }
  });
  // The connection went away without a close frame.
  socket.on("close", () => events.close(1006, ""));
  socket.on("error", () => socket.destroy());
}

function frame(opcode: Opcode, payload: Buffer): Buffer {
  const length = payload.length;
  const head = length < 126 ? Buffer.alloc(2) : length < 0x10000 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x80 | opcode;
  if (length < 126) head[1] = length;
  else if (length < 0x10000) {
    head[1] = 126;
    head.writeUInt16BE(length, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([head, payload]);
}

function closePayload(code: number | undefined, reason = ""): Buffer {
  if (code === undefined) return Buffer.alloc(0);
  const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2);
  return payload;
}

/** Reassembles (masked) client frames, including fragmented messages. */
class FrameReader {
  #buffer = Buffer.alloc(0);
  #fragments: Buffer[] = [];
  #fragmentOpcode: Opcode | undefined;
  readonly #onMessage: (opcode: Opcode, payload: Buffer) => void;

  constructor(onMessage: (opcode: Opcode, payload: Buffer) => void) {
    this.#onMessage = onMessage;
  }

  push(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const parsed = this.#next();
      if (!parsed) return;
      this.#handle(parsed.fin, parsed.opcode, parsed.payload);
    }
  }

  #next(): { fin: boolean; opcode: Opcode; payload: Buffer } | undefined {
    const buffer = this.#buffer;
    if (buffer.length < 2) return undefined;
    const fin = (buffer[0]! & 0x80) !== 0;
    const opcode = (buffer[0]! & 0x0f) as Opcode;
    const masked = (buffer[1]! & 0x80) !== 0;
    let length = buffer[1]! & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (buffer.length < 4) return undefined;
      length = buffer.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (buffer.length < 10) return undefined;
      length = Number(buffer.readBigUInt64BE(2));
      offset = 10;
    }
    const maskOffset = offset;
    if (masked) offset += 4;
    if (buffer.length < offset + length) return undefined;
    const payload = Buffer.from(buffer.subarray(offset, offset + length));
    if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= buffer[maskOffset + (i % 4)]!;
    this.#buffer = buffer.subarray(offset + length);
    return { fin, opcode, payload };
  }

  #handle(fin: boolean, opcode: Opcode, payload: Buffer): void {
    if (opcode >= Opcode.Close) return this.#onMessage(opcode, payload);
    if (opcode !== Opcode.Continuation) this.#fragmentOpcode = opcode;
    this.#fragments.push(payload);
    if (!fin) return;
    const whole = Buffer.concat(this.#fragments);
    this.#fragments = [];
    this.#onMessage(this.#fragmentOpcode ?? Opcode.Binary, whole);
  }
}
