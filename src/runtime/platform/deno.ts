import type { Assets } from "../assets/assets";
import type { Worker } from "../worker";
import { platformHandler, platformOptions, type PlatformOptions, type PlatformWorker } from "./routes";
import { drain, peersSettled, shutdownOnSignal } from "./shutdown";
import { abandon, acceptedUpgrade, OpenConnections, relayStandard } from "./websocket-bridge";

// Deno's global, as far as this entry uses it: no Deno types are installed here.
declare const Deno: {
  env: { get(name: string): string | undefined };
  serve(
    options: { port: number; hostname: string; onListen(address: { hostname: string; port: number }): void },
    handler: (request: Request) => Promise<Response>,
  ): { shutdown(): Promise<void> };
  upgradeWebSocket(request: Request, options?: { protocol?: string }): { socket: WebSocket; response: Response };
  addSignalListener(signal: "SIGTERM" | "SIGINT", listener: () => void): void;
  exit(code: number): never;
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
 * Serves a Worker on `Deno.serve`, WebSocket upgrades included; SIGTERM stops accepting,
 * disposes the worker (checkpoints) and exits.
 */
export function serve(worker: PlatformWorker & Pick<Worker, "dispose">, options: ServeOptions = {}): void {
  const handle = platformHandler(worker, options.assets, platformOptions(options, (name) => Deno.env.get(name)));
  const connections = new OpenConnections();
  const server = Deno.serve(
    {
      port: options.port ?? Number(Deno.env.get("PORT") || 3000),
      hostname: options.host ?? (Deno.env.get("HOST") || "0.0.0.0"),
      onListen: ({ hostname, port }) => console.log(`dotdo listening on http://${hostname}:${port}`),
    },
    async (request) => {
      const response = await handle(request);
      const upgrade = acceptedUpgrade(request, response);
      if (!upgrade) return response;
      try {
        const { socket, response: switching } = Deno.upgradeWebSocket(request, upgrade.protocol ? { protocol: upgrade.protocol } : {});
        relayStandard(upgrade.socket, socket, connections);
        return switching;
      } catch (error) {
        abandon(upgrade.socket); // not a valid handshake (no Sec-WebSocket-Key, say)
        return new Response(`Bad WebSocket handshake: ${(error as Error).message}`, { status: 400 });
      }
    },
  );
  // Listening until the objects are handed over, as on Node (see platform/node.ts).
  const onSignal = shutdownOnSignal(async () => {
    connections.closeAll();
    await worker.dispose();
    await peersSettled(worker.forwards);
    await drain(server.shutdown(), () => undefined); // the exit that follows cuts what is left
  }, (code) => Deno.exit(code));
  Deno.addSignalListener("SIGTERM", onSignal);
  Deno.addSignalListener("SIGINT", onSignal);
}
