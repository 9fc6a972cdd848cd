import type { Worker } from "../worker";

/** What `/__dotdo/info` answers: which runtime serves the Worker, and what kind of store keeps its objects. */
export interface ServerInfo {
  runtime: "node" | "bun" | "deno";
  /** The runtime's own version, e.g. `24.11.0`. */
  version: string;
  /**
   * `file`, `s3`, `r2`, `gateway` or `memory`; null when objects are not checkpointed at all.
   * Only the kind: paths and bucket names stay off an endpoint anyone can reach.
   */
  storage: string | null;
}

export function serverInfo(worker: Pick<Worker, "storage">): ServerInfo {
  return { ...currentRuntime(), storage: worker.storage === undefined ? null : storeKind(worker.storage) };
}

function currentRuntime(): Pick<ServerInfo, "runtime" | "version"> {
  const { Bun, Deno } = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } } };
  // Bun and Deno define `process` too: look for them first.
  if (Bun) return { runtime: "bun", version: Bun.version };
  if (Deno) return { runtime: "deno", version: Deno.version.deno };
  return { runtime: "node", version: process.versions.node };
}

/** The scheme of a store's short name; the gateway is the one store reached over plain HTTP(S). */
function storeKind(url: string): string {
  const scheme = /^([a-z0-9]+):/i.exec(url)?.[1]?.toLowerCase() ?? "unknown";
  return scheme === "http" || scheme === "https" ? "gateway" : scheme;
}
