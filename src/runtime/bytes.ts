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
