import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Miniflare } from "miniflare";
import { buildProject } from "../../../src/presets/build/index";
import { createR2Store } from "../../../src/runtime/storage/r2";
import type { TestIssuer } from "../../auth/helpers/issuer";
import type { GatewayTarget } from "./http-attacks";

/**
 * The gateway as a Cloudflare Worker over an R2 binding: built from src/gateway/wrangler.jsonc
 * with dotdo's own cloudflare preset, run in workerd through miniflare.
 */
const GATEWAY_PROJECT = resolve(import.meta.dirname, "../../../src/gateway");

export interface WorkerGatewayOptions {
  /** KV namespaces to bind, by binding name (e.g. the revocation list `DOTDO_REVOKED`). */
  kvNamespaces?: string[];
  /** Plain-text bindings beside the token settings. */
  bindings?: Record<string, string>;
  /** Keep R2's objects in this folder (miniflare's blob files), rather than in memory. */
  r2Persist?: string;
}

export interface WorkerGateway extends GatewayTarget {
  mf: Miniflare;
  /** workerd's own HTTP address, for clients that speak to it over a socket. */
  url: string;
}

export async function startWorkerGateway(idp: TestIssuer, options: WorkerGatewayOptions = {}): Promise<WorkerGateway> {
  const scratch = await mkdtemp(join(tmpdir(), "dotdo-gateway-worker-"));
  const build = await buildProject({ root: GATEWAY_PROJECT, preset: "cloudflare", outDir: join(scratch, "out") });
  const wrangler = JSON.parse(await readFile(join(build.outDir, "wrangler.json"), "utf8")) as {
    main: string;
    compatibility_date: string;
    r2_buckets: { binding: string }[];
  };
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(build.outDir, wrangler.main),
    modulesRoot: build.outDir,
    compatibilityDate: wrangler.compatibility_date,
    r2Buckets: wrangler.r2_buckets.map((b) => b.binding),
    ...(options.r2Persist && { r2Persist: options.r2Persist }),
    kvNamespaces: options.kvNamespaces ?? [],
    bindings: { WORKOS_AUTH_DOMAIN: idp.issuer, DOTDO_GATEWAY_AUDIENCE: idp.audience, R2_BUCKET: "dotdo-test", ...options.bindings },
  });
  const url = (await mf.ready).href.replace(/\/$/, "");
  const bucket = createR2Store(await mf.getR2Bucket("BUCKET"), "BUCKET");
  return {
    mf,
    url,
    baseUrl: "http://gateway.test",
    // miniflare has its own undici Request/Response types: cross over by value.
    fetch: async (target, init) => {
      const response = await mf.dispatchFetch(target, {
        method: init.method,
        headers: Object.fromEntries(new Headers(init.headers)),
        body: init.body as string | Uint8Array | undefined,
      });
      const body = init.method === "HEAD" || response.status === 204 ? null : await response.arrayBuffer();
      return new Response(body, { status: response.status, headers: Object.fromEntries(response.headers) });
    },
    bucket,
    close: async () => {
      await mf.dispose();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
