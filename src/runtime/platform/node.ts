import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { Duplex } from "node:stream";
import type { AddressInfo } from "node:net";
import type { Assets } from "../assets/assets";
import { FORWARD_PATH } from "../cluster/remote-object";
import { currentCompatibility } from "../current-worker";
import type { Worker } from "../worker";
import { answerNodeRequest } from "./node-request";
import { sendResponse } from "./node-response";
import { upgrade } from "./node-websocket";
import { platformHandler, platformOptions, type PlatformOptions, type PlatformWorker } from "./routes";
import { timeoutOptions, type ServerTimeouts } from "./server-timeouts";
import { drain, peersSettled, shutdownOnSignal } from "./shutdown";
import { OpenConnections, refuseWebSocket } from "./websocket-bridge";

export interface ServeOptions extends PlatformOptions {
  /** The project's static assets, routed in front of (or behind) the Worker. */
  assets?: Assets;
  /** Default: `PORT`, else 3000. 0 picks a free port. */
  port?: number;
  /** Default: `HOST`, else 0.0.0.0. */
  host?: string;
  /** On SIGTERM/SIGINT: stop accepting, `worker.dispose()` (checkpoints), exit. Default true. */
  handleSignals?: boolean;
  /** Print the listening URL. Default true. */
  log?: boolean;
  /** How long a slow client may take over its headers and its request (node:http closes it with 408 after). */
  timeouts?: ServerTimeouts;
}

export interface Server {
  readonly url: string;
  /** Stops the server and disposes the worker. */
  close(): Promise<void>;
}

/** The sql.js wasm bytes from the installed package, for `createWorker({ sqlWasm })`. */
export async function readSqlWasm(): Promise<Uint8Array> {
  return readFile(createRequire(import.meta.url).resolve("sql.js/dist/sql-wasm.wasm"));
}

/**
 * The largest request head (its line and headers) taken, as workerd takes and Cloudflare's
 * limits say: node:http's own default, 16 KiB, refused a large cookie with 431.
 */
const MAX_HEAD_BYTES = 128 * 1024;

/**
 * Serves a Worker on node:http, with dotdo's health and metrics endpoints, WebSocket upgrades
 * and graceful shutdown.
 */
export async function serve(worker: PlatformWorker & Pick<Worker, "dispose">, options: ServeOptions = {}): Promise<Server> {
  const handle = platformHandler(worker, options.assets, platformOptions(options, (name) => process.env[name]));
  let stopping = false;
  // Connections other replicas forwarded calls over: shutdown lets them close these (see peersSettled).
  const peers = new Set<Duplex>();
  const server = createServer({ ...timeoutOptions(options.timeouts), maxHeaderSize: MAX_HEAD_BYTES }, (req, res) => {
    // Shutting down: answer what still arrives on kept-alive connections (other replicas'
    // forwards keep theirs busy), then close them, so that the server can stop.
    if (stopping) res.shouldKeepAlive = false;
    if (req.url?.startsWith(FORWARD_PATH) && !peers.has(req.socket)) peers.add(req.socket.once("close", () => peers.delete(req.socket)));
    void respond(handle, req, res);
  });
  // Every header reaches the Worker, as on workerd (node:http refuses more than 2,000 with 431).
  server.maxHeadersCount = 0;
  const connections = new OpenConnections();
  // A client's close that the object never answers (workerd does not reply for it before
  // web_socket_auto_reply_to_close) leaves the socket open; shutdown ends it, or node:http would wait for it.
  const upgraded = new Set<Duplex>();
  server.on("upgrade", (req: IncomingMessage, socket: Duplex) => {
    upgraded.add(socket.once("close", () => upgraded.delete(socket)));
    void upgrade(handle, req, socket, connections);
  });
  const port = options.port ?? Number(process.env.PORT ?? 3000);
  const host = options.host ?? process.env.HOST ?? "0.0.0.0";
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, host, resolve));
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      stopping = true;
      // node:http waits for upgraded sockets too: close them (1001) so shutdown can finish.
      connections.closeAll();
      // Still listening while objects are handed over: other replicas' probes find this one
      // alive (stopping), and wait for its leases instead of taking them over.
      await worker.dispose();
      for (const socket of upgraded) socket.end();
      await peersSettled(worker.forwards, () => peers.size);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()).closeIdleConnections());
      await drain(closed, () => server.closeAllConnections());
      process.off("SIGTERM", onSignal).off("SIGINT", onSignal);
    })());
  const onSignal = shutdownOnSignal(close, (code) => process.exit(code));
  if (options.handleSignals ?? true) process.on("SIGTERM", onSignal).on("SIGINT", onSignal);
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  if (options.log ?? true) console.log(`dotdo listening on ${url}`);
  return { url, close };
}

async function respond(handle: (request: Request) => Promise<Response>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const response = await answerNodeRequest(handle, req, disconnectSignal(res));
    refuseWebSocket(response);
    await sendResponse(response, req, res);
  } catch (error) {
    console.error(error);
    if (!res.headersSent) {
      // None of the Worker's headers: one node refused may have left the others half set.
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      res.writeHead(500);
    }
    res.end();
  }
}

/**
 * With `enable_request_signal`, as on workerd: a signal that aborts when the client goes away
 * before `res` has sent the whole answer ("The client has disconnected"); undefined without it.
 */
function disconnectSignal(res: ServerResponse): AbortSignal | undefined {
  if (!currentCompatibility().enableRequestSignal) return undefined;
  const controller = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) controller.abort(new DOMException("The client has disconnected", "AbortError"));
  });
  return controller.signal;
}
