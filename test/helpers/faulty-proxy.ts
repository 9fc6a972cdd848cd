import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/**
 * How the proxy misbehaves, for a share of requests (`rate`), as a network and an S3 service
 * can: answers 500 or 503 SlowDown, resets the connection, answers late, cuts a body short,
 * stores a PUT but loses its answer, never answers, or (`down`) resets every request.
 */
export type Fault = "none" | "500" | "503-slowdown" | "reset" | "slow" | "truncate" | "lose-put-answer" | "hang" | "down";

export interface FaultyProxy {
  url: string;
  /** Misbehave with `fault` for a share `rate` of requests (1 for all) from now on. */
  set(fault: Fault, rate?: number): void;
  /** Requests the proxy has faulted, per fault. */
  readonly faulted: Map<Fault, number>;
  close(): Promise<void>;
}

/** An HTTP proxy on 127.0.0.1 in front of `target` (an S3 endpoint) that injects faults. */
export async function startFaultyProxy(target: string): Promise<FaultyProxy> {
  let fault: Fault = "none";
  let rate = 0;
  const faulted = new Map<Fault, number>();
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      const active = fault !== "none" && Math.random() < rate ? fault : "none";
      if (active !== "none") faulted.set(active, (faulted.get(active) ?? 0) + 1);
      switch (active) {
        case "down":
        case "reset":
          return void req.socket.destroy();
        case "500":
          return error(res, 500, "InternalError");
        case "503-slowdown":
          return error(res, 503, "SlowDown");
        case "hang":
          hanging.add(res);
          return;
        case "slow":
          await new Promise((done) => setTimeout(done, 1_500 + Math.random() * 1_500));
          break;
      }
      const upstream = await forward(target, req, body).catch(() => null);
      if (!upstream) return void req.socket.destroy();
      // The store did the work; the client never hears of it.
      if (active === "lose-put-answer" && req.method === "PUT") return void req.socket.destroy();
      res.writeHead(upstream.status, upstream.headers);
      if (active === "truncate" && upstream.body.length > 1) {
        res.write(upstream.body.subarray(0, upstream.body.length >> 1));
        return void setTimeout(() => req.socket.destroy(), 10);
      }
      res.end(upstream.body);
    })();
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    faulted,
    set(next, nextRate = 1) {
      fault = next;
      rate = nextRate;
      // Requests left hanging are let go once the fault is over (their clients gave up anyway).
      if (next !== "hang") for (const res of hanging) res.socket?.destroy();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => server.close(done));
    },
  };
}

function error(res: ServerResponse, status: number, code: string): void {
  res.writeHead(status, { "content-type": "application/xml" });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected</Message></Error>`);
}

async function forward(target: string, req: IncomingMessage, body: Buffer) {
  const url = new URL(req.url ?? "/", target);
  return new Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }>((resolve, reject) => {
    const out = httpRequest(url, { method: req.method, headers: { ...req.headers, host: url.host } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 502, headers: response.headers as Record<string, string | string[]>, body: Buffer.concat(chunks) }));
      response.on("error", reject);
    });
    out.on("error", reject);
    out.end(body);
  });
}
