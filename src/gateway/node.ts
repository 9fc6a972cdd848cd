import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { answerNodeRequest } from "../runtime/platform/node-request";
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
      response.statusCode = webResponse.status;
      webResponse.headers.forEach((value, name) => response.setHeader(name, value));
      if (!webResponse.body || request.method === "HEAD") {
        await webResponse.body?.cancel();
        response.end();
        return;
      }
      Readable.fromWeb(webResponse.body as import("node:stream/web").ReadableStream<Uint8Array>).pipe(response);
    })().catch((error: unknown) => {
      response.statusCode = 500;
      response.end();
      response.destroy(error instanceof Error ? error : undefined);
    });
  };
}

/** Serves the gateway on `host:port` (port 0 picks a free one). */
export async function serveGateway(handler: GatewayHandler, options: { port?: number; host?: string } = {}): Promise<NodeGateway> {
  const server = createServer(toNodeListener(handler));
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
