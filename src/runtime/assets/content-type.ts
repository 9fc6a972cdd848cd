/**
 * Content types by extension for the files a site ships, as Cloudflare's asset upload names
 * them (the `mime` package; text types with a utf-8 charset). Unknown extensions get none.
 */
const TYPES: Record<string, string> = {
  html: "text/html",
  htm: "text/html",
  css: "text/css",
  js: "text/javascript",
  mjs: "text/javascript",
  cjs: "application/node",
  json: "application/json",
  map: "application/json",
  webmanifest: "application/manifest+json",
  xml: "text/xml",
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  ico: "image/vnd.microsoft.icon",
  woff: "font/woff",
  woff2: "font/woff2",
  ttf: "font/ttf",
  otf: "font/otf",
  wasm: "application/wasm",
  pdf: "application/pdf",
  zip: "application/zip",
  bin: "application/octet-stream",
  mp3: "audio/mpeg",
  mp4: "video/mp4",
  webm: "video/webm",
};

export function contentType(path: string): string | undefined {
  const dot = path.lastIndexOf(".");
  const type = dot > path.lastIndexOf("/") ? TYPES[path.slice(dot + 1).toLowerCase()] : undefined;
  return type?.startsWith("text/") ? `${type}; charset=utf-8` : type;
}
