import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { answerNodeRequest } from "../runtime/platform/node-request";
import { sendResponse } from "../runtime/platform/node-response";
import { timeoutOptions, type ServerTimeouts } from "../runtime/platform/server-timeouts";
import type { GatewayHandler } from "./handler";

export interface NodeGateway {
  /** Base URL, e.g. `http://127.0.0.1:8787`. */
  url: string;
  close(): Promise<void>;
}

/** A `node:http` listener that runs a fetch-style gateway handler. */
function toNodeListener(handler: GatewayHandler): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    void (async () => {
      const webResponse = await answerNodeRequest(handler, request);
      await sendResponse(webResponse, request, response, "gateway");
    })().catch((error: unknown) => {
      response.statusCode = 500;
      response.end();
      response.destroy(error instanceof Error ? error : undefined);
    });
  };
}

export interface GatewayServerOptions {
  port?: number;
  /** Default 127.0.0.1: only this machine reaches the gateway unless told otherwise. */
  host?: string;
  /** Header and keep-alive limits (uploads are paced by the handler's `bodyProgress` instead of a total request time). */
  timeouts?: ServerTimeouts;
  /** A connection on which nothing moves either way (a client that stopped reading a download) is closed after this. Default 60 s. */
  idleMs?: number;
}

/** Serves the gateway on `host:port` (port 0 picks a free one). */
export async function serveGateway(handler: GatewayHandler, options: GatewayServerOptions = {}): Promise<NodeGateway> {
  const server = createServer(timeoutOptions({ requestMs: 0, ...options.timeouts }), toNodeListener(handler));
  server.setTimeout(options.idleMs ?? 60_000);
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
