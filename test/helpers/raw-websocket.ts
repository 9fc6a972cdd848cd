import { connect } from "node:net";

/**
 * A WebSocket client that writes its frames by hand, so tests can send what a real client
 * never would (a huge announced length, a broken fragment sequence, reserved bits) and read
 * back exactly what the server framed.
 */

/** A client frame: masked unless told, `length` declared in its header (default: the payload's). */
export function clientFrame(
  opcode: number,
  payload: Buffer | string,
  { fin = true, masked = true, rsv = 0, length }: { fin?: boolean; masked?: boolean; rsv?: number; length?: number } = {},
): Buffer {
  const body = Buffer.from(payload);
  const declared = length ?? body.length;
  const head = declared < 126 ? Buffer.alloc(2) : declared < 0x10000 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = (fin ? 0x80 : 0) | rsv | opcode;
  if (declared < 126) head[1] = declared;
  else if (declared < 0x10000) head.writeUInt16BE(declared, ((head[1] = 126), 2));
  else head.writeBigUInt64BE(BigInt(declared), ((head[1] = 127), 2));
  if (!masked) return Buffer.concat([head, body]);
  head[1]! |= 0x80;
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  return Buffer.concat([head, mask, body.map((byte, i) => byte ^ mask[i % 4]!)]);
}

/** Adds the server's whole frames in `buffer` to `transcript`; returns what is left of a frame not complete yet. */
function readFrames(buffer: Buffer, transcript: string[]): Buffer {
  for (;;) {
    if (buffer.length < 2) return buffer;
    let length = buffer[1]! & 0x7f;
    let offset = 2;
    if (length === 126) [length, offset] = [buffer.readUInt16BE(2), 4];
    else if (length === 127) [length, offset] = [Number(buffer.readBigUInt64BE(2)), 10];
    if (buffer.length < offset + length) return buffer;
    const opcode = buffer[0]! & 0x0f;
    const payload = buffer.subarray(offset, offset + length);
    if (opcode === 0x8) transcript.push(`close ${payload.length >= 2 ? payload.readUInt16BE(0) : "none"} ${payload.subarray(2)}`.trim());
    else if (opcode === 0xa) transcript.push(`pong ${payload}`);
    else transcript.push(opcode === 0x1 ? `text ${payload}` : `binary ${payload.length}`);
    buffer = buffer.subarray(offset + length);
  }
}

export interface RawWebSocketOptions {
  /** How long to wait, after the last frame, for the server to close the connection (default 400 ms). */
  settleMs?: number;
  /** Awaited once the frames are sent, before the wait; the client then goes away without a close frame. */
  before?: () => Promise<unknown>;
}

/**
 * Upgrades a connection to `url`, sends `frames` one by one, and then goes away (without a
 * close frame unless it sent one). Answers what the server sent, as lines: the status line,
 * then `text …`, `binary N`, `pong …`, `close CODE REASON`, and `end` when the server closed
 * the connection within the wait.
 */
export async function rawWebSocket(url: string, frames: Buffer[], { settleMs = 400, before }: RawWebSocketOptions = {}): Promise<string[]> {
  const { hostname, port, pathname, search } = new URL(url);
  const socket = connect(Number(port), hostname);
  const wire: string[] = [];
  let buffer: Buffer = Buffer.alloc(0);
  let upgraded = false;
  const ended = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  socket.on("error", () => undefined); // a reset after the server failed the connection
  socket.on("data", (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    if (!upgraded) {
      const end = buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      wire.push(buffer.subarray(0, buffer.indexOf("\r\n")).toString());
      buffer = buffer.subarray(end + 4);
      upgraded = true;
    }
    buffer = readFrames(buffer, wire);
  });
  socket.write(
    `GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
  );
  for (const until = Date.now() + 10_000; !upgraded && Date.now() < until; ) await new Promise((resolve) => setTimeout(resolve, 5));
  for (const bytes of frames) {
    if (!socket.writable) break;
    socket.write(bytes);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await before?.();
  const serverClosed = await Promise.race([ended.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), settleMs))]);
  if (serverClosed) wire.push("end");
  socket.destroy();
  await ended;
  return wire;
}
