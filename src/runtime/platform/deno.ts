import type { Worker } from "../worker";
import { platformHandler } from "./routes";

// Deno's global, as far as this entry uses it: no Deno types are installed here.
declare const Deno: {
  env: { get(name: string): string | undefined };
  serve(
    options: { port: number; hostname: string; onListen(address: { hostname: string; port: number }): void },
    handler: (request: Request) => Promise<Response>,
  ): { shutdown(): Promise<void> };
  addSignalListener(signal: "SIGTERM", listener: () => void): void;
  exit(code: number): never;
};

export interface ServeOptions {
  /** Default: `PORT`, else 3000. */
  port?: number;
  /** Default: `HOST`, else 0.0.0.0. */
  host?: string;
}

/** Serves a Worker on `Deno.serve`; SIGTERM stops accepting, disposes the worker (checkpoints) and exits. */
export function serve(worker: Pick<Worker, "fetch" | "objects" | "dispose">, options: ServeOptions = {}): void {
  const server = Deno.serve(
    {
      port: options.port ?? Number(Deno.env.get("PORT") || 3000),
      hostname: options.host ?? (Deno.env.get("HOST") || "0.0.0.0"),
      onListen: ({ hostname, port }) => console.log(`dotdo listening on http://${hostname}:${port}`),
    },
    platformHandler(worker),
  );
  Deno.addSignalListener("SIGTERM", async () => {
    await server.shutdown();
    await worker.dispose();
    Deno.exit(0);
  });
}
