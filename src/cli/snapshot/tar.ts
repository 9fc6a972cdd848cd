/**
 * The part of the POSIX tar format (ustar, with pax `path`/`size` records for what ustar
 * cannot hold) that an archive of store files needs: regular files only, read and written.
 */

import { concatBytes } from "../../runtime/bytes";
import { errorWithCode } from "../../runtime/errors";

const BLOCK = 512;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Largest size the 11 octal digits of a ustar header can hold. */
const MAX_USTAR_SIZE = 0o77777777777;

export interface TarEntry {
  name: string;
  body: Uint8Array;
}

/** Two zero blocks end an archive. */
export const TAR_END = new Uint8Array(BLOCK * 2);

/** Header block(s) of a regular file; its body follows, then `tarPadding(size)`. */
export function tarHeader(name: string, size: number, mtimeSeconds: number): Uint8Array[] {
  const split = splitName(name);
  const pax: string[] = [];
  if (!split) pax.push(paxRecord("path", name));
  if (size > MAX_USTAR_SIZE) pax.push(paxRecord("size", String(size)));
  const header = ustarHeader(split ?? { prefix: "", name: asciiTail(name) }, "0", Math.min(size, MAX_USTAR_SIZE), mtimeSeconds);
  if (pax.length === 0) return [header];
  const records = encoder.encode(pax.join(""));
  return [ustarHeader({ prefix: "", name: "PaxHeader" }, "x", records.length, mtimeSeconds), records, tarPadding(records.length), header];
}

/** Zero bytes that fill a body of `size` up to the block boundary. */
export function tarPadding(size: number): Uint8Array {
  return new Uint8Array((BLOCK - (size % BLOCK)) % BLOCK);
}

/** A damaged or unsupported tar stream; the caller names the file. */
export class TarFormatError extends errorWithCode("TAR_INVALID") {}

/**
 * The regular files of a tar stream, in order. Directories and pax global headers are
 * skipped; links, devices and anything else are refused, as is a damaged or cut-off stream.
 */
export async function* readTar(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<TarEntry> {
  const input = new BlockReader(chunks);
  let pending: { path?: string; size?: number } = {};
  for (;;) {
    const block = await input.read(BLOCK);
    if (!block) throw new TarFormatError("ends without the end-of-archive blocks");
    if (block.every((b) => b === 0)) return;
    if (checksum(block) !== parseOctal(block.subarray(148, 156), "checksum")) {
      throw new TarFormatError(`header checksum mismatch at entry ${JSON.stringify(headerName(block))}`);
    }
    const type = String.fromCharCode(block[156] ?? 0);
    const size = pending.size ?? parseOctal(block.subarray(124, 136), "size");
    const name = pending.path ?? headerName(block);
    const body = await input.read(size);
    if (!body) throw new TarFormatError(`cut off inside ${JSON.stringify(name)}`);
    if (!(await input.read(tarPadding(size).length))) throw new TarFormatError(`cut off after ${JSON.stringify(name)}`);
    if (type === "x") {
      pending = parsePax(body);
      continue;
    }
    if (type === "L") {
      // GNU long name, as GNU tar writes when an archive is re-packed with it.
      pending = { path: decoder.decode(body).replace(/\0+$/, "") };
      continue;
    }
    pending = {};
    if (type === "0" || type === "\0" || type === "7") yield { name, body };
    else if (type !== "5" && type !== "g") throw new TarFormatError(`entry ${JSON.stringify(name)} is not a regular file (type ${JSON.stringify(type)})`);
  }
}

function ustarHeader(path: { prefix: string; name: string }, type: string, size: number, mtimeSeconds: number): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const put = (offset: number, length: number, text: string) => block.set(encoder.encode(text).subarray(0, length), offset);
  const octal = (offset: number, length: number, value: number) => put(offset, length, `${value.toString(8).padStart(length - 1, "0")}\0`);
  put(0, 100, path.name);
  octal(100, 8, 0o644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, size);
  octal(136, 12, Math.max(0, Math.floor(mtimeSeconds)));
  put(148, 8, "        ");
  put(156, 1, type);
  put(257, 6, "ustar\0");
  put(263, 2, "00");
  put(345, 155, path.prefix);
  put(148, 8, `${checksum(block).toString(8).padStart(6, "0")}\0 `);
  return block;
}

/** ustar's name (100 bytes) and prefix (155 bytes), split at a `/`; null if it cannot fit. */
function splitName(name: string): { prefix: string; name: string } | null {
  const bytes = encoder.encode(name).length;
  if (bytes === name.length && bytes <= 100) return { prefix: "", name };
  if (bytes !== name.length) return null; // non-ASCII: pax carries it exactly.
  for (let i = name.indexOf("/"); i !== -1; i = name.indexOf("/", i + 1)) {
    if (i <= 155 && name.length - i - 1 <= 100 && i + 1 < name.length) return { prefix: name.slice(0, i), name: name.slice(i + 1) };
  }
  return null;
}

/** What a reader without pax support sees in place of a long name. */
function asciiTail(name: string): string {
  return name.replace(/[^\x20-\x7e]/g, "_").slice(-100);
}

function paxRecord(key: string, value: string): string {
  const rest = ` ${key}=${value}\n`;
  const restBytes = encoder.encode(rest).length;
  let length = restBytes + 1;
  while (String(length).length + restBytes !== length) length = String(length).length + restBytes;
  return `${length}${rest}`;
}

function parsePax(body: Uint8Array): { path?: string; size?: number } {
  const result: { path?: string; size?: number } = {};
  let offset = 0;
  while (offset < body.length) {
    const space = body.indexOf(0x20, offset);
    const length = Number(decoder.decode(body.subarray(offset, space)));
    if (space === -1 || !Number.isSafeInteger(length) || length <= 0 || offset + length > body.length) throw new TarFormatError("malformed pax header");
    const record = decoder.decode(body.subarray(space + 1, offset + length - 1));
    const eq = record.indexOf("=");
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === "path") result.path = value;
    if (key === "size") result.size = Number(value);
    offset += length;
  }
  return result;
}

function headerName(block: Uint8Array): string {
  const field = (from: number, to: number) => decoder.decode(block.subarray(from, to)).replace(/\0.*$/s, "");
  const prefix = field(345, 500);
  const name = field(0, 100);
  return prefix ? `${prefix}/${name}` : name;
}

function checksum(block: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum;
}

function parseOctal(field: Uint8Array, what: string): number {
  const text = decoder.decode(field).replace(/[\0 ]+$/, "").trim();
  const value = /^[0-7]+$/.test(text) ? parseInt(text, 8) : NaN;
  if (!Number.isSafeInteger(value)) throw new TarFormatError(`header ${what} ${JSON.stringify(text)} is not an octal number`);
  return value;
}

/** Exact-length reads over a stream of chunks. */
class BlockReader {
  readonly #chunks: AsyncIterator<Uint8Array>;
  #buffer: Uint8Array = new Uint8Array(0);
  #done = false;

  constructor(chunks: AsyncIterable<Uint8Array>) {
    this.#chunks = chunks[Symbol.asyncIterator]();
  }

  /** `length` bytes, or null when the stream ends first. */
  async read(length: number): Promise<Uint8Array | null> {
    const parts: Uint8Array[] = [];
    let have = 0;
    while (have < length) {
      if (this.#buffer.length === 0) {
        if (this.#done) return null;
        const next = await this.#chunks.next();
        if (next.done) {
          this.#done = true;
          continue;
        }
        this.#buffer = next.value;
      }
      const take = Math.min(length - have, this.#buffer.length);
      parts.push(this.#buffer.subarray(0, take));
      this.#buffer = this.#buffer.subarray(take);
      have += take;
    }
    return parts.length === 1 ? parts[0]! : concatBytes(parts, length);
  }
}
