/**
 * `cloudflare:sockets` on Node, Bun and Deno: workerd's `connect()` over `node:net` and
 * `node:tls`, with the same web-streams `Socket` shape (`readable`, `writable`, `opened`,
 * `closed`, `close()`, `startTls()`).
 */
import { connect as netConnect, type Socket as NetSocket } from "node:net";
import { connect as tlsConnect } from "node:tls";

export interface SocketAddress {
  hostname: string;
  port: number;
}

export interface SocketOptions {
  /** `on`: TLS from the start; `starttls`: plain until `startTls()`; default `off`. */
  secureTransport?: "off" | "on" | "starttls";
  /** Keep the writable side open after the peer ended its side. Default false. */
  allowHalfOpen?: boolean;
}

export interface SocketInfo {
  remoteAddress?: string;
  localAddress?: string;
}

export interface Socket {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<ArrayBufferView | ArrayBuffer>;
  readonly opened: Promise<SocketInfo>;
  readonly closed: Promise<void>;
  readonly upgraded: boolean;
  readonly secureTransport: "off" | "on" | "starttls";
  close(): Promise<void>;
  startTls(options?: { expectedServerHostname?: string }): Socket;
}

/** Opens a TCP connection, as workerd's `connect()` does. */
export function connect(address: string | SocketAddress, options: SocketOptions = {}): Socket {
  const { hostname, port } = typeof address === "string" ? parseAddress(address) : address;
  const secureTransport = options.secureTransport ?? "off";
  const allowHalfOpen = options.allowHalfOpen ?? false;
  const raw =
    secureTransport === "on"
      ? tlsConnect({ host: hostname, port, servername: hostname })
      : netConnect({ host: hostname, port, allowHalfOpen });
  return wrap(raw, secureTransport, hostname, secureTransport === "on" ? "secureConnect" : "connect");
}

function wrap(raw: NetSocket, secureTransport: Socket["secureTransport"], hostname: string, openEvent: "connect" | "secureConnect"): Socket {
  let upgraded = false;
  const opened = new Promise<SocketInfo>((resolve, reject) => {
    raw.once(openEvent, () => resolve({ ...(raw.remoteAddress && { remoteAddress: raw.remoteAddress }), ...(raw.localAddress && { localAddress: raw.localAddress }) }));
    raw.once("error", reject);
  });
  const closed = new Promise<void>((resolve, reject) => {
    let failure: Error | undefined;
    raw.once("error", (error) => (failure = error));
    raw.once("close", () => (failure ? reject(failure) : resolve()));
  });
  // Callers that never look at these must not see unhandled rejections.
  opened.catch(() => undefined);
  closed.catch(() => undefined);

  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      let done = false;
      const finish = (error?: Error) => {
        if (done) return;
        done = true;
        if (error) controller.error(error);
        else controller.close();
      };
      raw.on("data", (chunk: Buffer) => {
        if (done) return;
        controller.enqueue(new Uint8Array(chunk));
        if ((controller.desiredSize ?? 0) <= 0) raw.pause();
      });
      raw.once("end", () => finish());
      raw.once("error", (error) => finish(error));
      raw.once("close", () => finish());
    },
    pull() {
      raw.resume();
    },
    cancel() {
      raw.destroy();
    },
  });

  const writable = new WritableStream<ArrayBufferView | ArrayBuffer>({
    async write(chunk) {
      if (!(chunk instanceof ArrayBuffer) && !ArrayBuffer.isView(chunk)) {
        throw new TypeError("The writable side of a socket takes ArrayBuffer or ArrayBufferView chunks");
      }
      // Held until the connection (and its TLS handshake) is up, as workerd holds it; Deno's
      // TLS cancels a write made before that.
      await opened;
      const bytes = chunk instanceof ArrayBuffer ? new Uint8Array(chunk) : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      return new Promise<void>((resolve, reject) => raw.write(bytes, (error) => (error ? reject(error) : resolve())));
    },
    close() {
      return new Promise<void>((resolve) => raw.end(resolve));
    },
    abort() {
      raw.destroy();
    },
  });

  return {
    readable,
    writable,
    opened,
    closed,
    get upgraded() {
      return upgraded;
    },
    secureTransport,
    close() {
      raw.destroy();
      return closed.catch(() => undefined);
    },
    startTls(tlsOptions = {}) {
      if (secureTransport !== "starttls") throw new TypeError('startTls() needs a socket opened with secureTransport: "starttls"');
      if (upgraded) throw new TypeError("startTls() can be called once only");
      upgraded = true;
      // The plain streams end here: the bytes from now on are TLS records for the new socket.
      raw.removeAllListeners("data");
      const servername = tlsOptions.expectedServerHostname ?? hostname;
      return wrap(tlsConnect({ socket: raw, servername }), "on", servername, "secureConnect");
    },
  };
}

/** `host:port`, with IPv6 hosts in brackets (`[::1]:5432`). */
function parseAddress(address: string): SocketAddress {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(address);
  const port = Number(match?.[3]);
  if (!match || port > 65_535) throw new TypeError(`Invalid address "${address}": expected "hostname:port"`);
  return { hostname: match[1] ?? match[2]!, port };
}
