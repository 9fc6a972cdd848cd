import { sha256Hex } from "../sha256";

/** A content etag (hex SHA-256), so the same bytes always carry the same etag. */
export function contentEtag(body: Uint8Array): Promise<string> {
  return sha256Hex(body);
}

/** An etag as the interface hands it out: without HTTP's quotes and weak marker `W/`. */
export function unquoteEtag(etag: string | undefined): string {
  return (etag ?? "").replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
}
