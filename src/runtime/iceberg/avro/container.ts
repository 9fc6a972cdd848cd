/**
 * Avro Object Container Files: magic `Obj\x01`, a metadata map, a 16-byte sync marker, then
 * blocks of (record count, byte size, records, sync marker).
 */
import { CodecUnavailableError, CorruptFileError } from "../errors";
import { AvroReader, AvroWriter } from "./binary";
import { deflateRaw, inflateRaw } from "./deflate";
import { datumCodec, type AvroSchema } from "./schema-codec";

export type AvroCodec = "null" | "deflate";

/**
 * dotdo writes `null` unless told otherwise: state may be restored on another platform, and
 * Vercel Edge has no `DecompressionStream`. Manifests are small, so little is lost.
 */
export const DEFAULT_CODEC: AvroCodec = "null";

const MAGIC = new Uint8Array([0x4f, 0x62, 0x6a, 0x01]);
const meta = datumCodec({ type: "map", values: "bytes" });
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

export interface ContainerInput {
  /** Raw schema object: written to the header verbatim, so `field-id` attributes survive. */
  readonly schema: AvroSchema;
  readonly records: readonly unknown[];
  /** Extra header entries (Iceberg's `schema`, `format-version`, ...). */
  readonly metadata: Readonly<Record<string, string>>;
  readonly codec: AvroCodec;
}

export async function encodeContainer(input: ContainerInput): Promise<Uint8Array> {
  const entries = { ...input.metadata, "avro.schema": JSON.stringify(input.schema), "avro.codec": input.codec };
  const sync = crypto.getRandomValues(new Uint8Array(16));
  const datum = datumCodec(input.schema);
  const body = new AvroWriter();
  for (const record of input.records) datum.write(body, record);
  const raw = body.finish();
  const block = input.codec === "deflate" ? await deflateRaw(raw) : raw;

  const out = new AvroWriter();
  out.raw(MAGIC);
  meta.write(out, Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, utf8.encode(v)])));
  out.raw(sync);
  if (input.records.length > 0) {
    out.long(input.records.length);
    out.bytes(block);
    out.raw(sync);
  }
  return out.finish();
}

export interface DecodedContainer {
  readonly metadata: Readonly<Record<string, string>>;
  readonly records: unknown[];
}

/** Decodes every record with the writer's schema from the header; `path` names the file in errors. */
export async function decodeContainer(bytes: Uint8Array, path: string): Promise<DecodedContainer> {
  try {
    return await decode(bytes, path);
  } catch (error) {
    if (error instanceof CorruptFileError || error instanceof CodecUnavailableError) throw error;
    throw new CorruptFileError(path, `not a readable Avro file: ${(error as Error).message}`, { cause: error });
  }
}

async function decode(bytes: Uint8Array, path: string): Promise<DecodedContainer> {
  const fail = (reason: string): never => {
    throw new CorruptFileError(path, `not a readable Avro file: ${reason}`);
  };
  if (bytes.length < 4 || !MAGIC.every((b, i) => bytes[i] === b)) fail("bad magic bytes");
  const r = new AvroReader(bytes, 4);
  const metadata: Record<string, string> = Object.create(null);
  for (const [key, value] of Object.entries(meta.read(r) as Record<string, Uint8Array>)) metadata[key] = utf8Decoder.decode(value);
  const sync = r.raw(16);
  const codec = metadata["avro.codec"] ?? "null";
  if (codec !== "null" && codec !== "deflate") fail(`unsupported codec "${codec}"`);
  const datum = datumCodec(JSON.parse(metadata["avro.schema"] ?? "") as AvroSchema);

  const records: unknown[] = [];
  while (r.remaining > 0) {
    const count = r.long();
    if (count <= 0) fail("block has no records");
    const raw = r.bytes();
    if (!r.raw(16).every((b, i) => b === sync[i])) fail("sync marker does not match");
    const block = new AvroReader(codec === "deflate" ? await inflateRaw(raw) : raw);
    for (let i = 0; i < count; i++) records.push(datum.read(block));
    if (block.remaining !== 0) fail("block size does not match its records");
  }
  return { metadata, records };
}
