/** A content etag (hex SHA-256), so the same bytes always carry the same etag. */
export async function contentEtag(body: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", body as Uint8Array<ArrayBuffer>);
  let hex = "";
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** An etag as the interface hands it out: without HTTP's quotes and weak marker `W/`. */
export function unquoteEtag(etag: string | undefined): string {
  return (etag ?? "").replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
}
