/**
 * RFC 6455 framing for the node entry's WebSockets: frames out, and client frames read back into
 * messages, with workerd's limits and its answers to a client that breaks the protocol.
 */
import { DotdoError } from "../errors";
import { MAX_MESSAGE_BYTES } from "./websocket-bridge";

/** The frame types RFC 6455 defines; any other is refused. */
export const enum Opcode {
  Continuation = 0x0,
  Text = 0x1,
  Binary = 0x2,
  Close = 0x8,
  Ping = 0x9,
  Pong = 0xa,
}

/**
 * A client broke the protocol (1002) or sent a message over `MAX_MESSAGE_BYTES` (1009): the
 * connection is failed with `closeCode`, and the message is workerd's.
 */
export class WebSocketProtocolError extends DotdoError {
  readonly closeCode: 1002 | 1009;
  readonly description: string;

  constructor(closeCode: 1002 | 1009, description: string) {
    super("WEBSOCKET_PROTOCOL_ERROR", `WebSocket protocol error; protocolError.statusCode = ${closeCode}; protocolError.description = ${description}`);
    this.closeCode = closeCode;
    this.description = description;
  }
}

/** One unmasked frame, as a server sends it. */
export function frame(opcode: Opcode, payload: Buffer): Buffer {
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

/** A close frame's payload: none without a code. */
export function closePayload(code: number | undefined, reason = ""): Buffer {
  if (code === undefined) return Buffer.alloc(0);
  const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2);
  return payload;
}

interface Header {
  fin: boolean;
  opcode: Opcode;
  /** Where the payload starts, and how long it is. */
  offset: number;
  length: number;
  mask: Buffer | undefined;
}

/**
 * Reads a client's frames (masked or not, as workerd takes both) and hands on whole messages
 * and control frames. Bytes are only collected until the frame being read is complete, and a
 * frame's header is judged as soon as it has arrived: a client that announces a message over
 * the limit is refused before it sends it.
 */
export class FrameReader {
  #chunks: Buffer[] = [];
  #buffered = 0;
  /** How many bytes the frame being read needs, its header included. */
  #needed = 2;
  #fragments: Buffer[] = [];
  #fragmentBytes = 0;
  #fragmentOpcode: Opcode | undefined;
  readonly #onMessage: (opcode: Opcode, payload: Buffer) => void;

  constructor(onMessage: (opcode: Opcode, payload: Buffer) => void) {
    this.#onMessage = onMessage;
  }

  /** Takes bytes off the connection; throws `WebSocketProtocolError` once the client breaks the protocol. */
  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    if (this.#buffered < this.#needed) return;
    let buffer = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
    for (;;) {
      const header = readHeader(buffer);
      if (header) this.#check(header);
      const end = header ? header.offset + header.length : 0;
      if (!header || buffer.length < end) {
        this.#needed = header ? end : headerLength(buffer);
        break;
      }
      const payload = Buffer.from(buffer.subarray(header.offset, end));
      if (header.mask) for (let i = 0; i < payload.length; i++) payload[i]! ^= header.mask[i % 4]!;
      buffer = buffer.subarray(end);
      this.#needed = 2;
      this.#handle(header, payload);
    }
    this.#chunks = buffer.length > 0 ? [buffer] : [];
    this.#buffered = buffer.length;
  }

  /** Refuses a frame by its header, as workerd does. */
  #check({ fin, opcode, length }: Header): void {
    if (opcode >= Opcode.Close) {
      if (opcode > Opcode.Pong) throw new WebSocketProtocolError(1002, `Unknown opcode ${opcode}`);
      if (!fin) throw new WebSocketProtocolError(1002, "Received fragmented control frame");
      return;
    }
    if (opcode > Opcode.Binary) throw new WebSocketProtocolError(1002, `Unknown opcode ${opcode}`);
    if (opcode === Opcode.Continuation && this.#fragmentOpcode === undefined) throw new WebSocketProtocolError(1002, "Unexpected continuation frame");
    if (opcode !== Opcode.Continuation && this.#fragmentOpcode !== undefined) throw new WebSocketProtocolError(1002, "Missing continuation frame");
    // Each frame against what the message has left, in workerd's words.
    const room = MAX_MESSAGE_BYTES - this.#fragmentBytes;
    if (length > room) throw new WebSocketProtocolError(1009, `Message is too large: ${length} > ${room}`);
  }

  #handle({ fin, opcode }: Header, payload: Buffer): void {
    if (opcode >= Opcode.Close) return this.#onMessage(opcode, payload);
    if (fin && this.#fragmentOpcode === undefined) return this.#onMessage(opcode, payload);
    this.#fragmentOpcode ??= opcode;
    this.#fragments.push(payload);
    this.#fragmentBytes += payload.length;
    if (!fin) return;
    const whole = Buffer.concat(this.#fragments);
    const wholeOpcode = this.#fragmentOpcode;
    this.#fragments = [];
    this.#fragmentBytes = 0;
    this.#fragmentOpcode = undefined;
    this.#onMessage(wholeOpcode, whole);
  }
}

/** How many bytes the header at the start of `buffer` takes, as far as its first two tell. */
function headerLength(buffer: Buffer): number {
  if (buffer.length < 2) return 2;
  const length = buffer[1]! & 0x7f;
  return 2 + (length === 126 ? 2 : length === 127 ? 8 : 0) + (buffer[1]! & 0x80 ? 4 : 0);
}

/** The header at the start of `buffer`, or undefined until all of it has arrived. */
function readHeader(buffer: Buffer): Header | undefined {
  const offset = headerLength(buffer);
  if (buffer.length < offset) return undefined;
  if ((buffer[0]! & 0x40) !== 0) {
    throw new WebSocketProtocolError(
      1002,
      "Received a WebSocket frame whose compression bit was set, but the compression extension was not negotiated for this connection.",
    );
  }
  const short = buffer[1]! & 0x7f;
  const length = short === 126 ? buffer.readUInt16BE(2) : short === 127 ? Number(buffer.readBigUInt64BE(2)) : short;
  const masked = (buffer[1]! & 0x80) !== 0;
  return { fin: (buffer[0]! & 0x80) !== 0, opcode: (buffer[0]! & 0x0f) as Opcode, offset, length, mask: masked ? buffer.subarray(offset - 4, offset) : undefined };
}
