import { CodecUnavailableError } from "../errors";

/** Avro's `deflate` codec is raw DEFLATE (RFC 1951); the web-standard streams provide it. */
export async function deflateRaw(bytes: Uint8Array): Promise<Uint8Array> {
  if (typeof CompressionStream === "undefined") throw new CodecUnavailableError("this runtime has no CompressionStream: write Avro with the null codec");
  return pipe(bytes, new CompressionStream("deflate-raw"));
}

export async function inflateRaw(bytes: Uint8Array): Promise<Uint8Array> {
  if (typeof DecompressionStream === "undefined") throw new CodecUnavailableError("this runtime has no DecompressionStream to read deflate Avro");
  return pipe(bytes, new DecompressionStream("deflate-raw"));
}

async function pipe(bytes: Uint8Array, transform: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(transform);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
