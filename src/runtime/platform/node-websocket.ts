import { createHash } from "node:crypto";
import { STATUS_CODES, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { answerNodeRequest } from "./node-request";
import { abandon, acceptedUpgrade, OpenConnections, type AcceptedUpgrade } from "./websocket-bridge";
import { closePayload, frame, FrameReader, Opcode, WebSocketProtocolError } from "./websocket-frames";

/**
 * The wire side of a Worker's WebSocket on node:http: the RFC 6455 handshake, and the framing
 * (websocket-frames.ts) between the TCP socket and the `webSocket` end a 101 response carries.
 */
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

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
    else if (opcode === Opcode.Ping && socket.writable) socket.write(frame(Opcode.Pong, payload));
    else if (opcode === Opcode.Close) events.close(payload.length >= 2 ? payload.readUInt16BE(0) : 1005, payload.subarray(2).toString("utf8"));
  });
  socket.on("data", (chunk: Buffer) => {
    try {
      reader.push(chunk);
    } catch (error) {
      socket.removeAllListeners("data");
      if (!(error instanceof WebSocketProtocolError)) return void socket.destroy();
      // Failed as workerd fails it: a close frame saying why, the connection ended, and the
      // Worker's end told with an error (a plain Error, as workerd's).
      if (socket.writable) socket.end(frame(Opcode.Close, closePayload(error.closeCode, error.description)));
      events.error(new Error(error.message));
    }
  });
  // node:http's sockets stay half-open when the client ends its side: without this, a client
  // gone without a close frame would be noticed only when the server stops.
  socket.on("end", () => socket.destroy());
  // The connection went away without a close frame.
  socket.on("close", () => events.close(1006, ""));
  socket.on("error", () => socket.destroy());
}
