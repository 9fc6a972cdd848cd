import type { Assets } from "../assets/assets";
import type { Worker } from "../worker";
import type { WebSocket } from "../state/websocket";
import { platformHandler, platformOptions, type PlatformOptions, type PlatformWorker } from "./routes";
import { drain, peersSettled, shutdownOnSignal } from "./shutdown";
import { abandon, acceptedUpgrade, MAX_MESSAGE_BYTES, OpenConnections, type WireEvents, type WireSocket } from "./websocket-bridge";

/** What an upgraded connection carries: the Worker's end, and its relay once open. */
interface Connection {
  socket: WebSocket;
  events?: WireEvents;
}

interface BunWebSocket extends WireSocket {
  data: Connection;
}

interface BunServer {
  hostname: string;
  port: number;
  upgrade(request: Request, options: { data: Connection; headers: Record<string, string> }): boolean;
  stop(closeActiveConnections?: boolean): Promise<void>;
}

// Bun's global, as far as this entry uses it: the package ships no types for it here.
declare const Bun: {
  serve(options: {
    port: number;
    hostname: string;
    maxRequestBodySize: number;
    fetch(request: Request, server: BunServer): Promise<Response | undefined>;
    websocket: {
      maxPayloadLength: number;
      open(ws: BunWebSocket): void;
      message(ws: BunWebSocket, message: string | Uint8Array): void;
      close(ws: BunWebSocket, code: number, reason: string): void;
    };
  }): BunServer;
};

export interface ServeOptions extends PlatformOptions {
  /** The project's static assets, routed in front of (or behind) the Worker. */
  assets?: Assets;
  /** Default: `PORT`, else 3000. */
  port?: number;
  /** Default: `HOST`, else 0.0.0.0. */
  host?: string;
}

/**
 * Serves a Worker on `Bun.serve`, WebSocket upgrades included; SIGTERM stops accepting,
 * disposes the worker (checkpoints) and exits.
 */
export function serve(worker: PlatformWorker & Pick<Worker, "dispose">, options: ServeOptions = {}): void {
  const handle = platformHandler(worker, options.assets, platformOptions(options, (name) => process.env[name]));
  const connections = new OpenConnections();
  const server = Bun.serve({
    port: options.port ?? Number(process.env.PORT || 3000),
    hostname: options.host ?? (process.env.HOST || "0.0.0.0"),
    // The shared routes hold bodies to maxBodyBytes and answer 413 in dotdo's error shape;
    // Bun's own limit (128 MiB unless told) would refuse first, with an empty 413.
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    async fetch(request, server) {
      const response = await handle(request);
      const upgrade = acceptedUpgrade(request, response);
      if (!upgrade) return response;
      const headers: Record<string, string> = upgrade.protocol ? { "Sec-WebSocket-Protocol": upgrade.protocol } : {};
      if (server.upgrade(request, { data: { socket: upgrade.socket }, headers })) return undefined;
      abandon(upgrade.socket);
      return new Response("Bad WebSocket handshake", { status: 400 });
    },
    websocket: {
      // Bun's own limit is 16 MiB.
      maxPayloadLength: MAX_MESSAGE_BYTES,
      open: (ws) => void (ws.data.events = connections.relay(ws.data.socket, ws)),
      message: (ws, message) => ws.data.events?.message(message),
      close: (ws, code, reason) => ws.data.events?.close(code, reason),
    },
  });
  console.log(`dotdo listening on http://${server.hostname}:${server.port}`);
  // Listening until the objects are handed over, as on Node (see platform/node.ts).
  const onSignal = shutdownOnSignal(async () => {
    connections.closeAll();
    await worker.dispose();
    await peersSettled(worker.forwards);
    await drain(server.stop(), () => server.stop(true)); // stop() waits for open WebSockets too
  }, (code) => process.exit(code));
  process.on("SIGTERM", onSignal).on("SIGINT", onSignal);
}
