import type { ServerOptions } from "node:http";

/** How long a node:http server waits on a client before it closes the connection. */
export interface ServerTimeouts {
  /** All of a request's headers must arrive within this (then 408). Default 20 s. */
  headersMs?: number;
  /** The whole request, body included, must arrive within this (then 408); 0 for no limit. Default 300 s. */
  requestMs?: number;
  /** A kept-alive connection waits this long for its next request. Default 5 s. */
  keepAliveMs?: number;
}

/** `createServer` options for `timeouts`, checked often enough that a slow client is cut off near its limit. */
export function timeoutOptions(timeouts: ServerTimeouts = {}): ServerOptions {
  const headersTimeout = timeouts.headersMs ?? 20_000;
  const requestTimeout = timeouts.requestMs ?? 300_000;
  return {
    headersTimeout,
    requestTimeout,
    keepAliveTimeout: timeouts.keepAliveMs ?? 5_000,
    // node:http looks for overdue requests only this often (30 s by default).
    connectionsCheckingInterval: Math.max(10, Math.min(headersTimeout, requestTimeout || headersTimeout) / 4),
  };
}
