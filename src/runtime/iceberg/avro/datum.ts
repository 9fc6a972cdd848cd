/**
 * Avro datum encoding through avsc's type layer only. avsc's container-file encoder and its
 * default entry point pull in Node streams and zlib, which edge runtimes lack; its type layer
 * (the module avsc itself offers for browsers) needs just the `buffer` and `util` modules, so the
 * container framing around it lives in `container.ts`.
 */
import avsc from "avsc/etc/browser/avsc-types.js";
import avscUtils from "avsc/lib/utils.js";

/** A raw Avro schema object; extra attributes such as `field-id` are kept as written. */
export type AvroSchema = Record<string, unknown> | string | unknown[];

export interface DatumCodec {
  encode(value: unknown): Uint8Array;
  /** Decodes one datum at `offset`; returns the next offset, or -1 when the bytes run out. */
  decode(bytes: Uint8Array, offset: number): { value: unknown; offset: number };
}

export function datumCodec(schema: AvroSchema): DatumCodec {
  const type = avsc.Type.forSchema(schema as Parameters<typeof avsc.Type.forSchema>[0]);
  return {
    encode: (value) => type.toBuffer(value),
    decode: (bytes, offset) => type.decode(toAvscBuffer(bytes), offset),
  };
}

/**
 * avsc reads with Buffer methods and accepts only Buffers for `bytes` and `fixed` values, so
 * bytes go through avsc's own Buffer.
 */
export function toAvscBuffer(bytes: Uint8Array): Parameters<typeof avsc.Type.prototype.decode>[0] {
  const buffer = avscUtils.newBuffer(bytes.length);
  buffer.set(bytes);
  return buffer as Parameters<typeof avsc.Type.prototype.decode>[0];
}
