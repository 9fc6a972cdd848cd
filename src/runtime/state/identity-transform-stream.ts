/**
 * workerd's `IdentityTransformStream` and `FixedLengthStream`: byte-only transform streams whose
 * readable side is a byte stream (BYOB reads work) and whose writes resolve only once read, as
 * workerd's pipe of the same name hands each write straight to a waiting read.
 */
import { chunkBytes } from "../bytes";

/** workerd's queuing strategy for both classes: the writable side's high-water mark, in bytes. */
export interface IdentityTransformStreamQueuingStrategy {
  highWaterMark?: number | bigint;
}

type Chunk = ArrayBuffer | ArrayBufferView | string;

const NOT_BYTES =
  "This TransformStream is being used as a byte stream, but received an object of non-ArrayBuffer/ArrayBufferView type on its writable side.";
const TOO_MANY = "Attempt to write too many bytes through a FixedLengthStream.";
const TOO_FEW = "FixedLengthStream did not see all expected bytes before close().";

/** The two ends of one pipe. */
interface Pipe {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Chunk>;
}

const pipes = new WeakMap<object, Pipe>();

/** A write's bytes (see `chunkBytes`), or workerd's `TypeError`. */
export function writtenBytes(chunk: unknown): Uint8Array {
  const bytes = chunkBytes(chunk);
  if (bytes === undefined) throw new TypeError(NOT_BYTES);
  return bytes;
}

function identityPipe(limit: number | undefined, highWaterMark: number | undefined): Pipe {
  let remaining = limit;
  let failure: { reason: unknown } | undefined;
  let write: { bytes: Uint8Array; taken: () => void; refused: (reason: unknown) => void } | undefined;
  let read: (() => void) | undefined;
  let controller!: ReadableByteStreamController;

  const fail = (reason: unknown): void => {
    failure ??= { reason };
    controller.error(reason);
  };
  // A write meets a read: its bytes go to the reader (or fail the stream when past the limit).
  const meet = (): void => {
    if (!write || !read) return;
    const { bytes, taken } = write;
    const pulled = read;
    write = read = undefined;
    if (remaining !== undefined && bytes.byteLength > remaining) fail(new TypeError(TOO_MANY));
    else {
      if (remaining !== undefined) remaining -= bytes.byteLength;
      controller.enqueue(bytes);
    }
    taken();
    pulled();
  };

  const readable = new ReadableStream({
    type: "bytes",
    start: (c) => {
      controller = c;
    },
    pull: () =>
      new Promise<void>((resolve) => {
        read = resolve;
        meet();
      }),
    cancel: (reason) => {
      failure ??= { reason };
      write?.refused(reason);
      write = undefined;
    },
  });
  const writable = new WritableStream<Chunk>(
    {
      write: (chunk) => {
        if (failure) throw failure.reason;
        const bytes = writtenBytes(chunk);
        if (bytes.byteLength === 0) return;
        return new Promise<void>((taken, refused) => {
          write = { bytes, taken, refused };
          meet();
        });
      },
      close: () => {
        if (failure) throw failure.reason;
        if (remaining !== undefined && remaining !== 0) fail(new TypeError(TOO_FEW));
        else controller.close();
        read?.();
      },
      abort: (reason) => {
        if (!failure) fail(reason);
      },
    },
    { highWaterMark: highWaterMark ?? 1 },
  );
  return { readable, writable };
}

function pipeOf(stream: object): Pipe {
  const pipe = pipes.get(stream);
  if (!pipe) throw new TypeError("Illegal invocation");
  return pipe;
}

/** A transform stream that passes the bytes written to it through unchanged, as workerd's. */
export class IdentityTransformStream extends TransformStream<Chunk, Uint8Array> {
  constructor(queuingStrategy?: IdentityTransformStreamQueuingStrategy) {
    super();
    pipes.set(this, identityPipe(undefined, highWaterMarkOf(queuingStrategy)));
  }
}

const MAX_SAFE_LENGTH = 2 ** 53 - 1;

/**
 * An `IdentityTransformStream` of a known length: reading fails with workerd's `TypeError`s when
 * more bytes are written, or the writer closes before all have been.
 */
export class FixedLengthStream extends IdentityTransformStream {
  constructor(expectedLength: number | bigint, queuingStrategy?: IdentityTransformStreamQueuingStrategy) {
    const length = expectedLengthOf(expectedLength);
    super();
    const highWaterMark = highWaterMarkOf(queuingStrategy);
    // In place of the unlimited pipe `super()` made; a high-water mark no higher than the
    // length, as in workerd.
    pipes.set(this, identityPipe(length, highWaterMark === undefined ? undefined : Math.min(length, highWaterMark)));
  }
}

// The readable and writable of the pipe, over TransformStream's own (those of a stream unused).
for (const side of ["readable", "writable"] as const) {
  Object.defineProperty(IdentityTransformStream.prototype, side, {
    get(this: object) {
      return pipeOf(this)[side];
    },
    configurable: true,
    enumerable: true,
  });
}

/** workerd's conversion of an unsigned 64-bit argument, then its own limit. */
function expectedLengthOf(value: unknown): number {
  const length = typeof value === "bigint" ? value : Number(value);
  if (typeof length === "number" && !Number.isFinite(length)) throw new TypeError("The value cannot be converted because it is not an integer.");
  if (length < 0) throw new TypeError("The value cannot be converted because it is negative and this API expects a positive bigint.");
  if (length > MAX_SAFE_LENGTH) throw new TypeError("FixedLengthStream requires an integer expected length less than 2^53.");
  return Math.trunc(Number(length));
}

function highWaterMarkOf(strategy: IdentityTransformStreamQueuingStrategy | undefined): number | undefined {
  return strategy?.highWaterMark === undefined ? undefined : expectedLengthOf(strategy.highWaterMark);
}
