import type { HtmlHandling, NotFoundHandling } from "../../plugin/config/types";

/** The asset at a path, by its ETag, or nothing. */
export type AssetLookup = (path: string) => Promise<string | undefined>;

/** What a request path resolves to: a file (its ETag and status), a redirect, or nothing. */
export type Intent = { eTag: string; status: 200 | 404; redirect?: undefined } | { redirect: string; eTag?: undefined } | undefined;

export interface IntentOptions {
  htmlHandling: HtmlHandling;
  notFoundHandling: NotFoundHandling;
}

/**
 * Resolves a decoded path the way Cloudflare's asset worker does (workers-sdk,
 * workers-shared/asset-worker/src/handler.ts): each `html_handling` mode serves an HTML file
 * at one canonical path and redirects its other spellings there, then `not_found_handling`.
 */
export async function resolveIntent(path: string, options: IntentOptions, exists: AssetLookup, skipRedirects = false): Promise<Intent> {
  const found = (eTag: string | undefined): Intent => (eTag ? { eTag, status: 200 } : undefined);
  // Redirect to `to` when `file` is what `to` would serve, and `to` is not a file of its own.
  const redirect = async (file: string, to: string): Promise<Intent> => {
    if (skipRedirects || (await exists(to))) return undefined;
    const target = await resolveIntent(to, options, exists, true);
    return target?.eTag !== undefined && target.eTag === (await exists(file)) ? { redirect: to } : undefined;
  };
  const first = async (...steps: Array<() => Promise<Intent>>): Promise<Intent> => {
    for (const step of steps) {
      const intent = await step();
      if (intent) return intent;
    }
    return undefined;
  };
  const exact = await exists(path);
  const notFound = () => notFoundIntent(path, options.notFoundHandling, exists);
  const p = path;
  switch (options.htmlHandling) {
    case "none":
      return first(async () => found(exact), notFound);
    case "auto-trailing-slash":
      return first(
        ...(p.endsWith("/index")
          ? [async () => found(exact), () => redirect(`${p}.html`, p.slice(0, -5)), () => redirect(`${p.slice(0, -6)}.html`, p.slice(0, -6))]
          : p.endsWith("/index.html")
            ? [() => redirect(p, p.slice(0, -10)), () => redirect(`${p.slice(0, -11)}.html`, p.slice(0, -11))]
            : p.endsWith("/")
              ? [async () => found(await exists(`${p}index.html`)), () => redirect(`${p.slice(0, -1)}.html`, p.slice(0, -1))]
              : p.endsWith(".html")
                ? [() => redirect(p, p.slice(0, -5)), () => redirect(`${p.slice(0, -5)}/index.html`, `${p.slice(0, -5)}/`)]
                : []),
        async () => found(exact),
        async () => found(await exists(`${p}.html`)),
        () => redirect(`${p}/index.html`, `${p}/`),
        notFound,
      );
    case "force-trailing-slash":
      return first(
        ...(p.endsWith("/index")
          ? [async () => found(exact), () => redirect(`${p}.html`, p.slice(0, -5)), () => redirect(`${p.slice(0, -6)}.html`, p.slice(0, -5))]
          : p.endsWith("/index.html")
            ? [() => redirect(p, p.slice(0, -10)), () => redirect(`${p.slice(0, -11)}.html`, p.slice(0, -10))]
            : p.endsWith("/")
              ? [async () => found(await exists(`${p}index.html`)), async () => found(await exists(`${p.slice(0, -1)}.html`))]
              : p.endsWith(".html")
                ? [() => redirect(p, `${p.slice(0, -5)}/`), async () => found(exact), () => redirect(`${p.slice(0, -5)}/index.html`, `${p.slice(0, -5)}/`)]
                : []),
        async () => found(exact),
        () => redirect(`${p}.html`, `${p}/`),
        () => redirect(`${p}/index.html`, `${p}/`),
        notFound,
      );
    case "drop-trailing-slash":
      return first(
        ...(p.endsWith("/index")
          ? [
              async () => found(exact),
              ...(p === "/index"
                ? [() => redirect("/index.html", "/")]
                : [() => redirect(`${p.slice(0, -6)}.html`, p.slice(0, -6)), () => redirect(`${p}.html`, p.slice(0, -6))]),
            ]
          : p.endsWith("/index.html")
            ? p === "/index.html"
              ? [() => redirect("/index.html", "/")]
              : [() => redirect(p, p.slice(0, -11)), async () => found(exact), () => redirect(`${p.slice(0, -11)}.html`, p.slice(0, -11))]
            : p.endsWith("/")
              ? p === "/"
                ? [async () => found(await exists("/index.html"))]
                : [() => redirect(`${p.slice(0, -1)}.html`, p.slice(0, -1)), () => redirect(`${p.slice(0, -1)}/index.html`, p.slice(0, -1))]
              : p.endsWith(".html")
                ? [() => redirect(p, p.slice(0, -5)), () => redirect(`${p.slice(0, -5)}/index.html`, p.slice(0, -5))]
                : []),
        async () => found(exact),
        async () => found(await exists(`${p}.html`)),
        async () => found(await exists(`${p}/index.html`)),
        notFound,
      );
  }
}

/** `single-page-application`: /index.html; `404-page`: the nearest 404.html up the path, served as a 404. */
async function notFoundIntent(path: string, handling: NotFoundHandling, exists: AssetLookup): Promise<Intent> {
  if (handling === "single-page-application") {
    const eTag = await exists("/index.html");
    return eTag ? { eTag, status: 200 } : undefined;
  }
  if (handling === "404-page") {
    for (let dir = path; dir; ) {
      dir = dir.slice(0, dir.lastIndexOf("/"));
      const eTag = await exists(`${dir}/404.html`);
      if (eTag) return { eTag, status: 404 };
    }
  }
  return undefined;
}
