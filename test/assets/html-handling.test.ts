import { Miniflare } from "miniflare";
import { join } from "pathe";
import { afterAll, describe, expect, it } from "vitest";
import type { HtmlHandling, NotFoundHandling } from "../../src/plugin/config";
import { createAssets } from "../../src/runtime/assets/assets";
import { assetFiles } from "../../src/runtime/platform/asset-files";
import { answerOf, ASSETS_FIXTURE, PATHS, type Answer } from "./requests";

const DIRECTORY = join(ASSETS_FIXTURE, "public");
const ORIGIN = "http://assets.test";

/** Each html_handling mode, and each not_found_handling mode on the default html_handling. */
const CASES: Array<{ htmlHandling: HtmlHandling; notFoundHandling: NotFoundHandling }> = [
  { htmlHandling: "auto-trailing-slash", notFoundHandling: "none" },
  { htmlHandling: "auto-trailing-slash", notFoundHandling: "single-page-application" },
  { htmlHandling: "auto-trailing-slash", notFoundHandling: "404-page" },
  { htmlHandling: "force-trailing-slash", notFoundHandling: "404-page" },
  { htmlHandling: "drop-trailing-slash", notFoundHandling: "404-page" },
  { htmlHandling: "none", notFoundHandling: "single-page-application" },
];

const instances: Miniflare[] = [];
afterAll(async () => {
  await Promise.all(instances.map((mf) => mf.dispose()));
});

/** workerd's asset worker through the binding: a Worker that hands every request to env.ASSETS. */
async function workerdAssets(htmlHandling: HtmlHandling, notFoundHandling: NotFoundHandling) {
  const mf = new Miniflare({
    modules: true,
    script: "export default { fetch: (request, env) => env.ASSETS.fetch(request) };",
    compatibilityDate: "2025-09-01",
    assets: {
      directory: DIRECTORY,
      binding: "ASSETS",
      routerConfig: { has_user_worker: true, invoke_user_worker_ahead_of_assets: true },
      assetConfig: { html_handling: htmlHandling, not_found_handling: notFoundHandling },
    },
  });
  instances.push(mf);
  await mf.ready;
  return async (path: string, init: { method?: string; headers?: Record<string, string> } = {}) =>
    answerOf(await mf.dispatchFetch(`${ORIGIN}${path}`, { ...init, redirect: "manual" }));
}

describe.each(CASES)("the ASSETS binding with html_handling $htmlHandling, not_found_handling $notFoundHandling", ({ htmlHandling, notFoundHandling }) => {
  const dotdo = createAssets(assetFiles(DIRECTORY), { htmlHandling, notFoundHandling, runWorkerFirst: false });
  const dotdoAnswer = async (path: string, init: { method?: string; headers?: Record<string, string> } = {}) => answerOf(await dotdo.fetch(`${ORIGIN}${path}`, init));

  it("answers every path as workerd does: status, redirect, content type and bytes", async () => {
    const workerd = await workerdAssets(htmlHandling, notFoundHandling);
    const expected: Record<string, Answer> = {};
    const actual: Record<string, Answer> = {};
    for (const path of PATHS) {
      expected[path] = await workerd(path);
      actual[path] = await dotdoAnswer(path);
    }
    expect(actual).toEqual(expected);
    // Not a comparison of two empty answers: the home page and the binary file are served.
    expect(Buffer.from(actual["/logo.png"]!.body, "base64")).toHaveLength(264);
  });

  it("answers HEAD without a body, other methods with 405, and If-None-Match with 304, as workerd does", async () => {
    const workerd = await workerdAssets(htmlHandling, notFoundHandling);
    const eTag = (await dotdo.fetch(`${ORIGIN}/style.css`)).headers.get("etag")!;
    expect(eTag).toMatch(/^"[0-9a-f]{32}"$/);
    const requests = [
      { path: "/style.css", method: "HEAD" },
      { path: "/logo.png", method: "POST" },
      { path: "/missing-file.css", method: "POST" },
      { path: "/style.css", headers: { "if-none-match": eTag } },
      { path: "/style.css", headers: { "if-none-match": `W/${eTag}` } },
      { path: "/style.css", headers: { "if-none-match": '"something-else"' } },
    ];
    const answers = async (answer: typeof workerd) => {
      const list: Answer[] = [];
      for (const { path, ...init } of requests) list.push(await answer(path, init));
      return list;
    };
    // workerd's ETags are its own hashes: send each runtime the ETag it gave.
    const workerdETag = (await instances.at(-1)!.dispatchFetch(`${ORIGIN}/style.css`)).headers.get("etag")!;
    const withWorkerdETag = (init: { headers?: Record<string, string> }) => ({
      ...init,
      headers: Object.fromEntries(Object.entries(init.headers ?? {}).map(([name, value]) => [name, value.replace(eTag, workerdETag)])),
    });
    const expected = await answers((path, init) => workerd(path, withWorkerdETag(init ?? {})));
    const actual = await answers(dotdoAnswer);
    expect(actual).toEqual(expected);
    // A missing file is a 404, unless not_found_handling finds a page for it: then the method is refused.
    const missing = notFoundHandling === "none" ? 404 : 405;
    expect(actual.map((a) => a.status)).toEqual([200, 405, missing, 304, 304, 200]);
  });
});
