import { icebergHandleOf } from "../persistence/iceberg-handles";
import type { FencingToken } from "../persistence/lifecycle";
import type { CheckpointResult } from "../persistence/object-persistence";
import type { IcebergConfig } from "../persistence/scheduler";
import type { SnapshotInfo } from "../persistence/time-travel";
import { databaseOf, type DurableObjectState } from "./state";
import type { WebSocket, WebSocketData } from "./websocket";

/** What `alarm()` is called with. */
export interface AlarmInvocationInfo {
  readonly retryCount: number;
  readonly isRetry: boolean;
  /** When the alarm was set to fire (ms since the epoch). */
  readonly scheduledTime: number;
}

/** Base class of Durable Objects, as in `cloudflare:workers`. */
export abstract class DurableObject<Env = unknown> {
  protected ctx: DurableObjectState;
  protected env: Env;

  fetch?(request: Request): Response | Promise<Response>;
  alarm?(alarmInfo?: AlarmInvocationInfo): void | Promise<void>;
  webSocketMessage?(ws: WebSocket, message: WebSocketData): void | Promise<void>;
  webSocketClose?(ws: WebSocket, code: number, reason: string, wasClean: boolean): void | Promise<void>;
  webSocketError?(ws: WebSocket, error: unknown): void | Promise<void>;

  constructor(ctx: DurableObjectState, env: Env) {
    this.ctx = ctx;
    this.env = env;
  }

  // dotdo's persistence API (off Cloudflare); `PersistenceOffError` where there is none.
  // Not reachable over RPC: stubs only see methods of subclasses.

  /** Changes this object's checkpoint schedule. */
  configureIceberg(config: Partial<IcebergConfig>): void {
    icebergHandleOf(databaseOf(this.ctx)).configureIceberg(config);
  }

  /** Checkpoints now; null when nothing changed since the last checkpoint. */
  saveToIceberg(): Promise<CheckpointResult | null> {
    return icebergHandleOf(databaseOf(this.ctx)).saveToIceberg();
  }

  /** Replaces this object's state with the newest, a numbered or a dated checkpoint. */
  async loadFromIceberg(target: { sequence?: number; asOf?: Date | number } = {}): Promise<{ sequence: number; timestampMs: number } | null> {
    const commit = await icebergHandleOf(databaseOf(this.ctx)).loadFromIceberg(target);
    return commit && { sequence: commit.sequence, timestampMs: commit.timestampMs };
  }

  /** This object's stored checkpoints, oldest first: what `loadFromIceberg({ sequence })` can go back to. */
  listSnapshots(): Promise<SnapshotInfo[]> {
    return icebergHandleOf(databaseOf(this.ctx)).listSnapshots();
  }

  /** Takes (or confirms) this object's lease: its generation fences every commit. */
  acquireFencingToken(): Promise<FencingToken> {
    return icebergHandleOf(databaseOf(this.ctx)).acquireFencingToken();
  }

  /** Checkpoints, then gives the lease up for another instance to take. */
  releaseFencingToken(token: FencingToken): Promise<void> {
    return icebergHandleOf(databaseOf(this.ctx)).releaseFencingToken(token);
  }
}

/** The Worker's execution context (`ctx` of `fetch(request, env, ctx)`). */
export interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
  readonly props: Record<string, unknown>;
  /** The Worker's own exports as bindings (see `DurableObjectState.exports`); with `enable_ctx_exports`. */
  readonly exports?: Record<string, unknown>;
  /** In an entrypoint's RPC call: ends the call, disposing what it holds, and throws `reason`. */
  abort?(reason: unknown): never;
}

/** What a cron trigger passes to `scheduled()`. */
export interface ScheduledController {
  readonly scheduledTime: number;
  readonly cron: string;
  noRetry(): void;
}

/** Base class of class-based Worker entrypoints, as in `cloudflare:workers`. */
export abstract class WorkerEntrypoint<Env = unknown> {
  protected ctx: ExecutionContext;
  protected env: Env;

  fetch?(request: Request): Response | Promise<Response>;
  scheduled?(controller: ScheduledController): void | Promise<void>;

  constructor(ctx: ExecutionContext, env: Env) {
    this.ctx = ctx;
    this.env = env;
  }
}

/** Marker base class for objects meant to be passed by reference over RPC (not supported here: they are cloned). */
export class RpcTarget {}
