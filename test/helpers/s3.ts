import { fork } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Transform } from "node:stream";
import { fileURLToPath } from "node:url";

export interface S3TestServer {
  /** The proxy that enforces conditional writes: use this one. */
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** s3rver itself, which ignores `If-None-Match` / `If-Match` like some S3 look-alikes. */
  rawEndpoint: string;
  /** s3rver's process, for benchmarks that count the peer's CPU time. */
  s3rverPid: number;
  /**
   * Requests the proxy has seen, oldest first (method, path, lower-cased headers); `ms`, once
   * answered: from its arrival to the answer's last byte, the added latency included.
   */
  requests: Array<{ method: string; path: string; headers: IncomingHttpHeaders; ms?: number }>;
  close(): Promise<void>;
}

/**
 * Whether the AWS SDK sent `request`: it marks each of its own with an invocation id, where
 * dotdo's direct puts (src/runtime/storage/s3-direct.ts) are signed but unmarked.
 */
export function sentBySdk(request: S3TestServer["requests"][number]): boolean {
  return request.headers["amz-sdk-invocation-id"] !== undefined;
}

/**
 * Starts s3rver on 127.0.0.1 (random port, temp folder, one bucket; in a child process, see
 * s3rver-process.mjs) behind a small proxy.
 *
 * Why the proxy: s3rver accepts `If-None-Match: *` and `If-Match` on PUT and ignores them,
 * and no S3 server that can be installed here enforces them. dotdo's fencing rests on those
 * conditions, so the proxy enforces them the way S3 does: it HEADs the object on s3rver,
 * answers 412 (or 404 for `If-Match` on a missing key) itself when the condition fails,
 * and runs writes to one key one at a time so the check and the write cannot interleave.
 * Reads of a key wait their turn too: s3rver rewrites a file in place, so a read during a write
 * could see half of it, where S3 shows the old object or the new one, whole.
 * It also honours GCS's create-only spelling `x-goog-if-generation-match: 0`, and takes in a
 * PUT's (or POST's) whole body before passing it on: S3 stores nothing of an upload its client
 * gave up on half-way, where s3rver would keep what had arrived. A client that goes away (a
 * killed process) never holds up the requests queued behind its own.
 *
 * `latencyMs` holds every request that long before it is served, like the time to first byte
 * of a cloud store; `bytesPerSecond` paces each answer's body, like one connection's
 * bandwidth (unpaced: the loopback's). `parent` is the folder s3rver keeps its files in a
 * temporary folder of (default: the system's temp folder).
 */
export async function startS3(bucket = "dotdo-test", { latencyMs = 0, bytesPerSecond = 0, parent = tmpdir() } = {}): Promise<S3TestServer> {
  const directory = await mkdtemp(join(parent, "dotdo-s3-"));
  const script = fileURLToPath(new URL("./s3rver-process.mjs", import.meta.url));
  const s3rver = fork(script, [JSON.stringify({ directory, bucket })], {
    execArgv: ["--openssl-legacy-provider"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const rawPort = await Promise.race([
    once(s3rver, "message").then(([message]) => (message as { port: number }).port),
    once(s3rver, "exit").then(([code]) => Promise.reject(new Error(`s3rver exited early with code ${code}`))),
  ]);
  const rawEndpoint = `http://127.0.0.1:${rawPort}`;
  const requests: S3TestServer["requests"] = [];
  const queues = new Map<string, Promise<void>>();

  const proxy = createServer((req, res) => {
    const entry: S3TestServer["requests"][number] = { method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers };
    requests.push(entry);
    const arrived = performance.now();
    res.on("finish", () => (entry.ms = performance.now() - arrived));
    if (latencyMs > 0) setTimeout(() => serve(req, res), latencyMs);
    else serve(req, res);
  });

  function serve(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? "/";
    const isWrite = req.method === "PUT" || req.method === "DELETE";
    // Requests to one key wait for the previous one to finish.
    const key = path.split("?")[0] ?? path;
    const previous = queues.get(key) ?? Promise.resolve();
    const body = req.method === "PUT" || req.method === "POST" ? wholeBody(req) : Promise.resolve(undefined);
    const current = previous
      .then(async () => {
        const bytes = await body;
        if (bytes === null) return;
        await (isWrite ? conditionalWrite(req, res, bytes) : forward(req, res, bytes));
      })
      .catch(() => undefined);
    queues.set(key, current);
    void current.then(() => {
      if (queues.get(key) === current) queues.delete(key);
    });
  }

  async function conditionalWrite(req: IncomingMessage, res: ServerResponse, body: Buffer | undefined): Promise<void> {
    const ifNoneMatch = req.headers["if-none-match"];
    const createOnly = ifNoneMatch === "*" || req.headers["x-goog-if-generation-match"] === "0";
    const ifMatch = req.headers["if-match"];
    if (req.method === "PUT" && (createOnly || ifMatch !== undefined)) {
      const etag = await headEtag(req);
      if (createOnly && etag !== undefined) return refuse(res, 412, "PreconditionFailed", "If-None-Match");
      if (ifMatch !== undefined && etag === undefined) return refuse(res, 404, "NoSuchKey", "If-Match");
      if (ifMatch !== undefined && unquote(ifMatch) !== etag) {
        return refuse(res, 412, "PreconditionFailed", "If-Match");
      }
    }
    await forward(req, res, body);
  }

  /** The object's ETag on s3rver, undefined when there is none (node:http: `fetch` costs s3rver's peer more CPU). */
  function headEtag(req: IncomingMessage): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      const head = httpRequest({ host: "127.0.0.1", port: rawPort, method: "HEAD", path: req.url }, (answer) => {
        answer.resume();
        resolve(answer.statusCode === 200 ? unquote(answer.headers.etag) : undefined);
      });
      head.on("error", reject);
      head.end();
    });
  }

  /** Passes a request on to s3rver with its body (taken in whole before), and the answer back. */
  function forward(req: IncomingMessage, res: ServerResponse, body: Buffer | undefined): Promise<void> {
    return new Promise((resolve) => {
      const upstream = httpRequest(
        { host: "127.0.0.1", port: rawPort, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          answer.on("end", resolve);
          answer.on("error", resolve);
          // A client that went away (a killed process) reads no more: drain the answer, or it
          // never ends and every later request to this key waits behind it.
          if (res.destroyed) return void answer.resume();
          res.on("close", () => answer.unpipe().resume());
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          (bytesPerSecond > 0 ? answer.pipe(paced(bytesPerSecond)) : answer).pipe(res);
        },
      );
      upstream.on("error", (error) => {
        res.writeHead(502).end(String(error));
        resolve();
      });
      upstream.end(body);
    });
  }

  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const { port } = proxy.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    // s3rver's fixed development credentials.
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    rawEndpoint,
    s3rverPid: s3rver.pid!,
    requests,
    async close() {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      const exited = once(s3rver, "exit");
      s3rver.disconnect();
      await exited;
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** A request's whole body, or null when its client went away before sending all of it. */
async function wholeBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of req) chunks.push(chunk as Buffer);
  } catch {
    return null;
  }
  return req.complete ? Buffer.concat(chunks) : null;
}

function refuse(res: ServerResponse, status: number, code: string, condition: string): void {
  const body =
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code>` +
    `<Message>At least one of the pre-conditions you specified did not hold</Message>` +
    `<Condition>${condition}</Condition><RequestId>dotdo-test-proxy</RequestId></Error>`;
  res.writeHead(status, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** Passes bytes on no faster than `bytesPerSecond`. */
function paced(bytesPerSecond: number): Transform {
  const start = performance.now();
  let sent = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      sent += chunk.length;
      setTimeout(() => done(null, chunk), Math.max(0, start + (sent / bytesPerSecond) * 1000 - performance.now()));
    },
  });
}

function unquote(etag: string | null | undefined): string | undefined {
  return etag ? etag.replace(/^(W\/)?"(.*)"$/, "$2") : undefined;
}
