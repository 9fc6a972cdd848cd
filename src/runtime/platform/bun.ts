import type { Worker } from "../worker";
import { platformHandler } from "./routes";

// Bun's global, as far as this entry uses it: the package ships no types for it here.
declare const Bun: {
  serve(options: { port: number; hostname: string; fetch(request: Request): Promise<Response> }): {
    hostname: string;
    port: number;
    stop(): Promise<void>;
  };
};

export interface ServeOptions {
  /** Default: `PORT`, else 3000. */
  port?: number;
  /** Default: `HOST`, else 0.0.0.0. */
  host?: string;
}

/** Serves a Worker on `Bun.serve`; SIGTERM stops accepting, disposes the worker (checkpoints) and exits. */
export function serve(worker: Pick<Worker, "fetch" | "objects" | "dispose">, options: ServeOptions = {}): void {
  const server = Bun.serve({
    port: options.port ?? Number(process.env.PORT || 3000),
    hostname: options.host ?? (process.env.HOST || "0.0.0.0"),
    fetch: platformHandler(worker),
  });
  console.log(`dotdo listening on http://${server.hostname}:${server.port}`);
  process.once("SIGTERM", async () => {
    await server.stop();
    await worker.dispose();
    process.exit(0);
  });
}
