/** `pieces` one after another in one new array (`total`: their summed length, when known). */
export function concatBytes(pieces: readonly Uint8Array[], total = pieces.reduce((n, p) => n + p.length, 0)): Uint8Array {
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const piece of pieces) {
    bytes.set(piece, at);
    at += piece.length;
  }
  return bytes;
}

/**
 * A stream chunk's bytes as workerd's byte streams take them: a copy of a buffer or a view, a
 * string as UTF-8; undefined for any other value.
 */
export function chunkBytes(value: unknown): Uint8Array | undefined {
  if (typeof value === "string") return new TextEncoder().encode(value);
  if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer === "function" && value instanceof SharedArrayBuffer)) return new Uint8Array(value.slice(0));
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
  return undefined;
}
