import type { AssetsConfig } from "../../plugin/config/types";
import { resolveCompatibility } from "../compatibility";
import { contentType } from "./content-type";
import { resolveIntent, type IntentOptions } from "./intent";

/** Where the asset files are read from: a platform module (node:fs on servers). */
export interface AssetFiles {
  /** The ETag of the file at a decoded path (`/dir/a.html`), or undefined when there is none there. */
  eTag(path: string): Promise<string | undefined>;
  read(path: string): Promise<Uint8Array<ArrayBuffer>>;
}

/** The routing options of the `assets` block, as the server entry receives them. */
export type AssetsOptions = Omit<AssetsConfig, "directory" | "binding"> & { compatibilityDate?: string; compatibilityFlags?: string[] };

/** Static assets as Cloudflare serves them: the `ASSETS` binding and the router in front of the Worker. */
export interface Assets {
  /** The binding's `fetch`: answers from the assets only (404 when nothing matches). */
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>;
  /** Sends a request to the assets or to `worker`, as `run_worker_first` and the files decide. */
  route(request: Request, worker: (request: Request) => Promise<Response>): Promise<Response>;
}

const CACHE_CONTROL = "public, max-age=0, must-revalidate";

/**
 * Serves `files` with wrangler's `assets` semantics (Cloudflare's router and asset workers in
 * workers-sdk/packages/workers-shared): `html_handling`, `not_found_handling`, `run_worker_first`,
 * ETag with If-None-Match, HEAD. `_headers` and `_redirects` files are not read.
 */
export function createAssets(files: AssetFiles, options: AssetsOptions): Assets {
  const paths = new Map<string, string>();
  const exists = async (path: string) => {
    const eTag = await files.eTag(path);
    if (eTag !== undefined) paths.set(eTag, path);
    return eTag;
  };
  const navigationPrefersAssets = resolveCompatibility(options.compatibilityDate, options.compatibilityFlags).assetsNavigationPrefersAssetServing;
  const rules = Array.isArray(options.runWorkerFirst) ? staticRouting(options.runWorkerFirst) : undefined;
  const intentOptions: IntentOptions = { htmlHandling: options.htmlHandling, notFoundHandling: options.notFoundHandling };

  const serve = async (request: Request, intentOf: IntentOptions): Promise<Response | undefined> => {
    const url = new URL(request.url);
    const decoded = decodePath(url.pathname);
    const intent = await resolveIntent(decoded, intentOf, exists);
    if (!intent) return undefined;
    if (!["GET", "HEAD"].includes(request.method.toUpperCase())) return new Response(null, { status: 405, statusText: "Method Not Allowed" });
    const destination = encodePath(intent.redirect ?? decoded);
    if (intent.redirect !== undefined || destination !== url.pathname) {
      return new Response(null, { status: 307, headers: { location: destination + url.search } });
    }
    const path = paths.get(intent.eTag)!;
    const headers = new Headers({ etag: `"${intent.eTag}"` });
    const type = contentType(path);
    if (type) headers.set("content-type", type);
    if (!request.headers.has("authorization") && !request.headers.has("range")) headers.set("cache-control", CACHE_CONTROL);
    const ifNoneMatch = request.headers.get("if-none-match");
    if (ifNoneMatch === `"${intent.eTag}"` || ifNoneMatch === `W/"${intent.eTag}"`) return new Response(null, { status: 304, headers });
    const body = request.method.toUpperCase() === "HEAD" ? null : await files.read(path);
    return new Response(body, { status: intent.status, headers });
  };

  return {
    fetch: async (input, init) => (await serve(new Request(input, init), intentOptions)) ?? new Response(null, { status: 404, statusText: "Not Found" }),
    async route(request, worker) {
      const { pathname } = new URL(request.url);
      if (rules?.assets.some((rule) => rule.test(pathname))) return this.fetch(request);
      if (rules?.worker.some((rule) => rule.test(pathname)) || options.runWorkerFirst === true) return worker(request);
      // Only static routing or a browser navigation lets `not_found_handling` answer before the Worker.
      const navigation = navigationPrefersAssets && request.headers.get("sec-fetch-mode") === "navigate";
      const asset = await serve(request, rules || navigation ? intentOptions : { ...intentOptions, notFoundHandling: "none" });
      return asset ?? worker(request);
    },
  };
}

/** `run_worker_first` patterns: `*` matches anything, `!/…` sends matching paths to the assets. */
function staticRouting(patterns: string[]): { worker: RegExp[]; assets: RegExp[] } {
  const glob = (pattern: string) => new RegExp(`^${pattern.split("*").map((part) => part.replace(/[-/\\^$*+?.()|[\]{}]/g, "\\$&")).join(".*")}$`);
  return {
    worker: patterns.filter((p) => p.startsWith("/")).map(glob),
    assets: patterns.filter((p) => p.startsWith("!/")).map((p) => glob(p.slice(1))),
  };
}

function decodePath(pathname: string): string {
  return pathname
    .split("/")
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join("/")
    .replace(/\/+/g, "/");
}

function encodePath(pathname: string): string {
  return pathname.split("/").map(encodeURIComponent).join("/");
}
