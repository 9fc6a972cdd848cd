/**
 * Avro Object Container Files, framed here (see `datum.ts` for why not by avsc's file encoder).
 * Layout: magic `Obj\x01`, a metadata map, a 16-byte sync marker, then blocks of
 * (record count, byte size, records, sync marker).
 */
import { CorruptFileError } from "../errors";
import { datumCodec, toAvscBuffer, type AvroSchema } from "./datum";
import { deflateRaw, inflateRaw } from "./deflate";

export type AvroCodec = "null" | "deflate";

const MAGIC = new Uint8Array([0x4f, 0x62, 0x6a, 0x01]);
const header = datumCodec({
  type: "record",
  name: "org.apache.avro.file.Header",
  fields: [
    { name: "magic", type: { type: "fixed", name: "Magic", size: 4 } },
    { name: "meta", type: { type: "map", values: "bytes" } },
    { name: "sync", type: { type: "fixed", name: "Sync", size: 16 } },
  ],
});
const long = datumCodec("long");
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
  const meta: Record<string, unknown> = {};
  const entries = { ...input.metadata, "avro.schema": JSON.stringify(input.schema), "avro.codec": input.codec };
  for (const [key, value] of Object.entries(entries)) meta[key] = toAvscBuffer(utf8.encode(value));
  const sync = crypto.getRandomValues(new Uint8Array(16));
  const head = header.encode({ magic: toAvscBuffer(MAGIC), meta, sync: toAvscBuffer(sync) });
  const datum = datumCodec(input.schema);
  const raw = concat(input.records.map((record) => datum.encode(record)));
  const body = input.codec === "deflate" ? await deflateRaw(raw) : raw;
  const parts = [head];
  if (input.records.length > 0) {
    parts.push(long.encode(input.records.length), long.encode(body.length), body, sync);
  }
  return concat(parts);
}

export interface DecodedContainer {
  readonly metadata: Readonly<Record<string, string>>;
  readonly records: unknown[];
}

/** Decodes every record with the writer's schema from the header; `path` names the file in errors. */
export async function decodeContainer(bytes: Uint8Array, path: string): Promise<DecodedContainer> {
  const fail = (reason: string, cause?: unknown): never => {
    throw new CorruptFileError(path, `not a readable Avro file: ${reason}`, cause === undefined ? undefined : { cause });
  };
  if (bytes.length < 4 || !MAGIC.every((b, i) => bytes[i] === b)) fail("bad magic bytes");
  const head = attempt(() => header.decode(bytes, 0), fail);
  if (head.offset < 0) fail("header is truncated");
  const { meta, sync } = head.value as { meta: Record<string, Uint8Array>; sync: Uint8Array };
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(meta)) metadata[key] = attempt(() => utf8Decoder.decode(value), fail);
  const codec = metadata["avro.codec"] ?? "null";
  if (codec !== "null" && codec !== "deflate") fail(`unsupported codec "${codec}"`);
  const schema = attempt(() => JSON.parse(metadata["avro.schema"] ?? "") as AvroSchema, fail);
  const datum = attempt(() => datumCodec(schema), fail);

  const records: unknown[] = [];
  let offset = head.offset;
  while (offset < bytes.length) {
    const count = attempt(() => long.decode(bytes, offset), fail);
    const size = count.offset < 0 ? count : attempt(() => long.decode(bytes, count.offset), fail);
    if (size.offset < 0) fail("block header is truncated");
    if ((count.value as number) <= 0) fail("block has no records");
    const blockStart = size.offset;
    const blockEnd = blockStart + (size.value as number);
    if ((size.value as number) < 0 || blockEnd + 16 > bytes.length) fail("block is truncated");
    if (!sync.every((b, i) => bytes[blockEnd + i] === b)) fail("sync marker does not match");
    const raw = bytes.subarray(blockStart, blockEnd);
    const block = codec === "deflate" ? await inflateRaw(raw).catch((e: unknown) => fail("deflate data is damaged", e)) : raw;
    let at = 0;
    for (let i = 0; i < (count.value as number); i++) {
      const next = attempt(() => datum.decode(block, at), fail);
      if (next.offset < 0) fail("record is truncated");
      records.push(next.value);
      at = next.offset;
    }
    if (at !== block.length) fail("block size does not match its records");
    offset = blockEnd + 16;
  }
  return { metadata, records };
}

function attempt<T>(fn: () => T, fail: (reason: string, cause?: unknown) => never): T {
  try {
    return fn();
  } catch (error) {
    return fail((error as Error).message, error);
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
