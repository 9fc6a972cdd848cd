/**
 * Both ends of an in-process connection, each shaped like workerd's `Socket` (`readable`,
 * `writable`, `opened`, `closed`, `close()`): what one end writes, the other reads. A service
 * binding's `connect()` to the Worker's own entrypoint hands one end to its `connect(socket)`.
 */
export interface PairedSocket {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly opened: Promise<{ remoteAddress?: string; localAddress?: string }>;
  /** Resolves once the other end has closed its side and this end read it all, or `close()`. */
  readonly closed: Promise<void>;
  readonly upgraded: false;
  readonly secureTransport: "off";
  close(): Promise<void>;
  startTls(): never;
}

export function socketPair(): [PairedSocket, PairedSocket] {
  const there = new TransformStream<Uint8Array, Uint8Array>();
  const back = new TransformStream<Uint8Array, Uint8Array>();
  return [end(back.readable, there.writable), end(there.readable, back.writable)];
}

function end(incoming: ReadableStream<Uint8Array>, writable: WritableStream<Uint8Array>): PairedSocket {
  let done!: () => void;
  const closed = new Promise<void>((resolve) => (done = resolve));
  const readable = incoming.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ flush: () => done() }));
  return {
    readable,
    writable,
    opened: Promise.resolve({}),
    closed,
    upgraded: false,
    secureTransport: "off",
    async close() {
      await Promise.allSettled([writable.close(), readable.cancel()]);
      done();
    },
    startTls(): never {
      throw new TypeError("startTls() is not available on a connection to a Worker's own entrypoint");
    },
  };
}
