/** Avro's binary primitives: zig-zag varints, little-endian floats, length-prefixed bytes. */

export class AvroWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private at = 0;

  private reserve(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.at + n));
    next.set(this.buf.subarray(0, this.at));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.at++] = b;
  }

  /** Zig-zag varint of a 64-bit integer given as a safe integer or a bigint. */
  long(value: number | bigint): void {
    if (typeof value === "number" && value >= -0x40000000 && value < 0x40000000) {
      let n = ((value << 1) ^ (value >> 31)) >>> 0;
      while (n > 0x7f) {
        this.byte((n & 0x7f) | 0x80);
        n >>>= 7;
      }
      this.byte(n);
      return;
    }
    const big = BigInt(value);
    let n = big >= 0n ? big << 1n : (-big << 1n) - 1n;
    while (n > 0x7fn) {
      this.byte(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    this.byte(Number(n));
  }

  float(value: number): void {
    this.reserve(4);
    this.view.setFloat32(this.at, value, true);
    this.at += 4;
  }

  double(value: number): void {
    this.reserve(8);
    this.view.setFloat64(this.at, value, true);
    this.at += 8;
  }

  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.at);
    this.at += bytes.length;
  }

  bytes(bytes: Uint8Array): void {
    this.long(bytes.length);
    this.raw(bytes);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.at);
  }
}

export class AvroReader {
  private readonly view: DataView;
  offset: number;

  constructor(
    private readonly buf: Uint8Array,
    offset = 0,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.offset = offset;
  }

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  private need(n: number): void {
    if (n < 0 || this.offset + n > this.buf.length) throw new RangeError("data is truncated");
  }

  byte(): number {
    this.need(1);
    return this.buf[this.offset++] as number;
  }

  /** A zig-zag varint long; values beyond 2^53 cannot be held exactly as numbers and are refused. */
  long(): number {
    const start = this.offset;
    let result = 0;
    let scale = 1;
    // Up to 7 bytes (49 bits) plain number arithmetic is exact.
    for (let i = 0; i < 7; i++) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
      scale *= 128;
    }
    this.offset = start;
    return this.bigLong();
  }

  private bigLong(): number {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        const value = result & 1n ? -((result + 1n) >> 1n) : result >> 1n;
        if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
          throw new RangeError(`long value ${value} is beyond 2^53`);
        }
        return Number(value);
      }
    }
    throw new RangeError("varint is longer than 10 bytes");
  }

  float(): number {
    this.need(4);
    const v = this.view.getFloat32(this.offset, true);
    this.offset += 4;
    return v;
  }

  double(): number {
    this.need(8);
    const v = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return v;
  }

  raw(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.slice(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  bytes(): Uint8Array {
    return this.raw(this.long());
  }
}
