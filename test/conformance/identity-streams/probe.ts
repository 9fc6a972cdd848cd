/**
 * What `IdentityTransformStream` and `FixedLengthStream` do, as one record per case: run on
 * workerd and on the shim, and compared. Only globals are used, so the same module runs on both.
 */
declare const IdentityTransformStream: new (strategy?: { highWaterMark?: number }) => TransformStream<unknown, Uint8Array>;
declare const FixedLengthStream: new (length: unknown, strategy?: { highWaterMark?: number }) => TransformStream<unknown, Uint8Array>;

type Outcome = { value: unknown } | { error: string };

async function outcome(run: () => unknown): Promise<Outcome> {
  try {
    return { value: await run() };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

const bytes = (...values: number[]) => new Uint8Array(values);
const text = (readable: ReadableStream) => new Response(readable).text();

/** Writes `chunks` then closes, while the readable is read as text: both outcomes. */
async function through(stream: TransformStream<unknown, Uint8Array>, chunks: unknown[]): Promise<Record<string, Outcome>> {
  const read = outcome(() => text(stream.readable));
  const writer = stream.writable.getWriter();
  const wrote = await outcome(async () => {
    for (const chunk of chunks) await writer.write(chunk);
    await writer.close();
  });
  return { read: await read, wrote };
}

const CASES: Record<string, () => unknown> = {
  "is a TransformStream": () => [new IdentityTransformStream() instanceof TransformStream, new FixedLengthStream(1) instanceof IdentityTransformStream],
  "passes bytes, buffers and strings through": () => through(new IdentityTransformStream(), [bytes(104, 105), new Uint8Array([32]).buffer, "héllo", new DataView(bytes(33).buffer)]),
  "reads each chunk as a Uint8Array": async () => {
    const { readable, writable } = new IdentityTransformStream();
    const writer = writable.getWriter();
    void writer.write(new Uint16Array([1]).buffer);
    const { value } = await readable.getReader().read();
    return [Object.prototype.toString.call(value), value?.byteLength];
  },
  "refuses other chunks": () => outcome(() => new IdentityTransformStream().writable.getWriter().write(42)),
  "reads into a BYOB buffer": async () => {
    const { readable, writable } = new IdentityTransformStream();
    void writable.getWriter().write(bytes(1, 2, 3, 4));
    const reader = readable.getReader({ mode: "byob" });
    const first = await reader.read(new Uint8Array(3));
    const second = await reader.read(new Uint8Array(3));
    return [[...(first.value ?? [])], [...(second.value ?? [])]];
  },
  "resolves a write once it is read": async () => {
    const { readable, writable } = new IdentityTransformStream();
    let written = false;
    const write = writable.getWriter().write(bytes(1)).then(() => (written = true));
    // A macrotask later, every write the stream would settle by itself has settled.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const before = written;
    await readable.getReader().read();
    await write;
    return [before, written];
  },
  "writer's desired size": () => [
    new IdentityTransformStream().writable.getWriter().desiredSize,
    new IdentityTransformStream({ highWaterMark: 10 }).writable.getWriter().desiredSize,
    new FixedLengthStream(5, { highWaterMark: 10 }).writable.getWriter().desiredSize,
  ],
  "an abort fails the reader": async () => {
    const { readable, writable } = new IdentityTransformStream();
    const reader = readable.getReader();
    await writable.abort(new Error("aborted"));
    return outcome(() => reader.read());
  },
  "a cancel fails the writer": async () => {
    const { readable, writable } = new IdentityTransformStream();
    const writer = writable.getWriter();
    await readable.cancel(new Error("gone"));
    return outcome(() => writer.write(bytes(1)));
  },
  "fixed length: exactly": () => through(new FixedLengthStream(3), [bytes(65, 66), bytes(67)]),
  "fixed length: zero": () => through(new FixedLengthStream(0), []),
  "fixed length: too many in one write": () => through(new FixedLengthStream(3), [bytes(1, 2, 3, 4, 5)]),
  "fixed length: too many over two writes": () => through(new FixedLengthStream(3), [bytes(1, 2), bytes(3, 4)]),
  "fixed length: too few": () => through(new FixedLengthStream(3), [bytes(1)]),
  "fixed length: what the writer sees past the length": async () => {
    const { readable, writable } = new FixedLengthStream(3);
    const writer = writable.getWriter();
    const reader = readable.getReader();
    const write = writer.write(bytes(1, 2, 3, 4, 5));
    const read = await outcome(() => reader.read());
    return [read, await outcome(() => write), await outcome(() => writer.write(bytes(1)))];
  },
  "fixed length: the lengths taken": () =>
    Promise.all([-1, 1.5, "abc", "12", 2 ** 53, 2 ** 53 - 1, 5n, Number.NaN, undefined].map((length) => outcome(() => (new FixedLengthStream(length), "ok")))),
};

export async function observe(): Promise<Record<string, unknown>> {
  const results: Record<string, unknown> = {};
  for (const [name, run] of Object.entries(CASES)) results[name] = await outcome(run);
  return results;
}

/** Whether `FixedLengthStream` is the platform's own (native) class: the storage code's test. */
export const nativeFixedLengthStream = (): boolean => Function.prototype.toString.call(FixedLengthStream).includes("[native code]");
