import { resolve } from "pathe";

export const ASSETS_FIXTURE = resolve(import.meta.dirname, "../fixtures/assets");

/** One request to send to workerd and to dotdo alike. */
export interface AssetRequest {
  path: string;
  method?: string;
  headers?: Record<string, string>;
}

/** What must be the same on both: the status, where a redirect goes, the content type and the body. */
export interface Answer {
  status: number;
  location: string | null;
  contentType: string | null;
  body: string;
}

/** Paths through every html_handling spelling, the not-found cases, encodings and escapes from the directory. */
export const PATHS = [
  "/",
  "/index",
  "/index.html",
  "/about",
  "/about.html",
  "/about/",
  "/about/index.html",
  "/docs",
  "/docs/",
  "/docs/index",
  "/docs/index.html",
  "/docs.html",
  "/docs/guide",
  "/docs/guide/",
  "/docs/guide/index.html",
  "/docs/guide.html",
  "/blog/first-post",
  "/blog/first-post.html",
  "/blog/first-post/",
  "/docs/missing",
  "/docs/guide/missing/deeper",
  "/missing",
  "/missing/",
  "/404",
  "/404.html",
  "/style.css",
  // The same bytes as style.css: served as text all the same.
  "/style.txt",
  "/data.json",
  "/logo.png",
  "/read%20me.txt",
  "/read me.txt",
  "//about",
  "/ABOUT",
  "/about?x=1",
  "/docs?x=1",
  "/%2e%2e/secret.txt",
  "/..%2fsecret.txt",
  "/docs/%2e%2e/%2e%2e/secret.txt",
  "/docs/..%2f..%2fsecret.txt",
  "/%2fetc%2fpasswd",
  "/api/docs/",
];

/** Reads an answer in a form two runtimes can be compared by (bytes as base64: logo.png is binary). */
export async function answerOf(response: { status: number; headers: { get(name: string): string | null }; arrayBuffer(): Promise<ArrayBuffer> }): Promise<Answer> {
  return {
    status: response.status,
    location: response.headers.get("location"),
    contentType: response.headers.get("content-type"),
    body: Buffer.from(await response.arrayBuffer()).toString("base64"),
  };
}
