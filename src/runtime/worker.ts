import { resolveCompatibility } from "./compatibility";
import { forwardHandler } from "./cluster/forward-handler";
import { CronTriggers } from "./cron/triggers";
import type { Membership } from "./cluster/membership";
import { ForwardStats } from "./cluster/stats";
import { isUnavailable } from "./namespace/errors";
import { DotdoError, errorWithCode } from "./errors";
import { DurableObjectId } from "./namespace/id";
import type { ObjectLifecycle, ObjectRef, StoreHealth } from "./namespace/lifecycle";
import { DurableObjectNamespace } from "./namespace/namespace";
import { ObjectRegistry } from "./namespace/object-registry";
import type { DurableObjectClass } from "./namespace/live-object";
import { incomingRequest } from "./request-cf";
import { loadSqliteEngine } from "./sqlite/sqljs-engine";
import type { SqlWasmSource } from "./sqlite/sqljs-loader";
import type { ExecutionContext, ScheduledController } from "./state/base-classes";
import { gateFetch, type AsyncContext } from "./state/fetch-gate";
import { installWorkerdGlobals } from "./state/workerd-globals";
import { IoContext, runInIoContext } from "./io-context";
import { currentEnv, currentExports, setBackground, setCompatibility } from "./current-worker";
import { loopbackBinding, loopbackExports, type LoopbackHost } from "./loopback";
import { populateProcessEnv } from "./process-env";
import { objectClass } from "./namespace/object-class";
import { DurableObject } from "./state/base-classes";
import { stubStorage } from "./stub-storage";

export type { ScheduledController } from "./state/base-classes";
export type { ObjectLifecycle, ObjectRef, StoreHealth } from "./namespace/lifecycle";
export type { ObjectRegistry } from "./namespace/object-registry";

type Env = Record<string, unknown>;

/** Like Cloudflare, which hibernates objects idle for about 10 s. */
const DEFAULT_SUSPEND_AFTER_MS = 10_000;

/** The default export of a Worker module: an object of handlers, or a WorkerEntrypoint class. */
export interface ExportedHandler {
  fetch?(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response>;
  scheduled?(controller: ScheduledController, env: Env, ctx: ExecutionContext): unknown;
}

/**
 * The user's module namespace object: the default export (an `ExportedHandler` object or a
 * `WorkerEntrypoint` class) plus the exported DO classes. Checked when used.
 */
export type WorkerModule = { readonly [name: string]: unknown };

type HandlerClass = new (ctx: ExecutionContext, env: Env) => ExportedHandler;

export interface CreateWorkerOptions {
  /** Bindings to Durable Object classes exported by the module (wrangler's `durable_objects`). */
  durableObjects: Record<string, { className: string; /** Seeds ids; default: the class name. */ namespaceKey?: string }>;
  /** Durable Object classes declared in wrangler's `exports`: reachable through `ctx.exports` with or without a binding. */
  exportedDurableObjects?: string[];
  /** Plain values for `env` (wrangler's `vars`). */
  vars?: Record<string, unknown>;
  /** Other `env` bindings, passed through as they are (e.g. an R2 bucket). */
  bindings?: Record<string, unknown>;
  /**
   * Service bindings to the Worker's own entrypoints (wrangler's `services` whose `service` is
   * the Worker itself): binding → the exported entrypoint (default: `default`) and its `ctx.props`.
   */
  services?: Record<string, { entrypoint?: string; props?: Record<string, unknown> }>;
  /** Evict an object after this many ms without events; default: never. */
  evictAfterMs?: number;
  /**
   * Close an idle object's SQLite connection after this many ms, keeping the instance (and
   * its fields); the database reopens from its image on next use. Each open connection
   * costs ~150 KB of wasm heap. Default: 10,000 ms.
   */
  suspendAfterMs?: number;
  /** Persistence hooks; default: evicted objects are kept as images in memory. */
  lifecycle?: ObjectLifecycle;
  /** Alarm retries after a throwing handler; default workerd's: from 2000 ms, doubling, 6 times. */
  alarmRetry?: { baseDelayMs?: number; maxRetries?: number };
  /**
   * Replicas of this Worker share its objects: a call to an object another replica holds (its
   * lease names the replica's address, see the lifecycle's `address`) is forwarded there,
   * signed with `secret`, which every replica must share.
   */
  cluster?: { secret: string; /** The platform's replicas: placement of objects nobody holds. */ membership?: Membership };
  /**
   * An async context (a `new AsyncLocalStorage()` from `node:async_hooks`): with it, a `fetch()`
   * made by an object's code leaves only once that object's writes before it are stored (the
   * output gate). The global `fetch` is wrapped for that, once per process.
   */
  asyncContext?: AsyncContext<() => Promise<void>>;
  /**
   * wrangler's `compatibility_date` and `compatibility_flags`: the flags the runtime honours
   * follow them as on workerd (docs/runtime.md). Default date: `DEFAULT_COMPATIBILITY_DATE`.
   */
  compatibilityDate?: string;
  compatibilityFlags?: string[];
  /**
   * wrangler's `triggers.crons`: `scheduled()` runs at each tick, in UTC (Cloudflare's dialect).
   * With persistence, replicas sharing a store take turns: exactly one fires each tick.
   */
  crons?: readonly string[];
  /**
   * wrangler's `limits.cpu_ms`: how long one statement of an object's SQL may run before it is
   * interrupted and the object reset, as workerd bounds it. Default 30,000 (Cloudflare's).
   */
  cpuLimitMs?: number;
  /** The sql.js wasm: a compiled module where compiling bytes is forbidden; default: sql.js finds it. */
  sqlWasm?: SqlWasmSource;
}

export interface Worker {
  readonly env: Env;
  fetch(request: Request): Promise<Response>;
  scheduled(controller?: Partial<ScheduledController>): Promise<void>;
  /** The live objects per Durable Object binding (for persistence and tests). */
  readonly objects: Readonly<Record<string, ObjectRegistry>>;
  /** Stops alarms, waits for background work and evicts every object (running `beforeEvict`). */
  dispose(): Promise<void>;
  /**
   * Whether the store behind the objects answers (always "ok" without persistence), and
   * whether the worker is stopping (it takes no new objects then; another replica will).
   */
  health(): Promise<WorkerHealth>;
  /** The store objects are checkpointed to (its short name); undefined without persistence. */
  readonly storage?: string;
  /** In a cluster: answers calls other replicas forward to objects held here (`FORWARD_PATH`). */
  readonly forwarded?: (request: Request) => Promise<Response>;
  /** In a cluster: counts of forwarded calls. */
  readonly forwards?: ForwardStats;
}

export type WorkerHealth = StoreHealth & { stopping?: true };

/** The module or options do not describe a Worker this runtime can run. */
export class WorkerConfigError extends errorWithCode("WORKER_CONFIG_INVALID") {}

/** Runs a Worker module with Durable Objects in this process. */
export async function createWorker(mod: WorkerModule, options: CreateWorkerOptions): Promise<Worker> {
  const engine = await loadSqliteEngine(options.sqlWasm, options.cpuLimitMs);
  if (options.asyncContext && options.lifecycle?.durable) gateFetch(options.asyncContext);
  const env: Env = { ...options.vars, ...options.bindings };
  const registries = new Map<string, ObjectRegistry>();
  // Filled once every namespace exists; objects only read it from their first event on.
  const exports: Record<string, unknown> = {};
  const namespaces: Record<string, unknown> = {};
  const objects: Record<string, ObjectRegistry> = {};
  const forwards = new ForwardStats();
  const alarmRetry = { baseDelayMs: 2000, maxRetries: 6, ...options.alarmRetry };
  const compatibility = resolveCompatibility(options.compatibilityDate, options.compatibilityFlags);
  setCompatibility(compatibility);
  installWorkerdGlobals(compatibility);
  const externals = stubStorage(compatibility.allowIrrevocableStubStorage, {
    service: (entrypoint, props) => loopbackBinding(mod, host, entrypoint, props, "specialised"),
    objectClass(className, props) {
      const ctor = mod[className];
      return typeof ctor === "function" && ctor.prototype instanceof DurableObject ? objectClass(className, ctor as DurableObjectClass, props, true) : undefined;
    },
    object: (className, id) => (exports[className] as { get?(id: DurableObjectId): object } | undefined)?.get?.(id),
  });
  const registryOf = (className: string, namespaceKey: string, what: string): ObjectRegistry => {
    const ctor = mod[className];
    if (typeof ctor !== "function") throw new WorkerConfigError(`${what} names class "${className}", which the Worker module does not export`);
    // Two bindings to one class share its objects, as on Cloudflare.
    let registry = registries.get(namespaceKey);
    if (!registry) {
      registry = new ObjectRegistry({
        namespace: namespaceKey,
        ctor: ctor as DurableObjectClass,
        env,
        exports,
        engine,
        alarmRetry,
        compatibility,
        externals,
        ...(options.cluster ? { cluster: { ...options.cluster, stats: forwards } } : {}),
        ...(options.lifecycle ? { lifecycle: options.lifecycle } : {}),
        ...(options.evictAfterMs === undefined ? {} : { evictAfterMs: options.evictAfterMs }),
        suspendAfterMs: options.suspendAfterMs ?? DEFAULT_SUSPEND_AFTER_MS,
      });
      registries.set(namespaceKey, registry);
    }
    return registry;
  };
  for (const [binding, { className, namespaceKey = className }] of Object.entries(options.durableObjects)) {
    const registry = registryOf(className, namespaceKey, `Durable Object binding ${binding}`);
    objects[binding] = registry;
    env[binding] = new DurableObjectNamespace(namespaceKey, registry);
    namespaces[className] ??= env[binding];
  }
  for (const className of options.exportedDurableObjects ?? []) {
    namespaces[className] ??= new DurableObjectNamespace(className, registryOf(className, className, `The wrangler config's "exports"`));
  }
  if (!compatibility.disallowImportableEnv) Object.assign(currentEnv, env);
  // Both come from workerd's one "worker env", which disallow_importable_env leaves unset.
  if (compatibility.populateProcessEnv && !compatibility.disallowImportableEnv) populateProcessEnv(env);
  // Like workerd, alarms stored before a restart fire without waiting for a request. In the
  // background, and not waited for on dispose: a wake may wait out another holder's lease.
  if (options.lifecycle?.pendingAlarms) void wakePendingAlarms(options.lifecycle.pendingAlarms(), registries);

  const background = new Set<Promise<unknown>>();
  let stopping = false;
  const waitUntil = (promise: Promise<unknown>): void => {
    const tracked = Promise.resolve(promise).catch((error: unknown) => console.error("dotdo: a waitUntil() promise rejected:", error));
    background.add(tracked);
    void tracked.finally(() => background.delete(tracked));
  };
  setBackground(waitUntil);
  const context = (props: Record<string, unknown> = {}): ExecutionContext => ({ waitUntil, passThroughOnException() {}, props, ...(compatibility.ctxExports && { exports }) });
  const handler = (ctx: ExecutionContext): ExportedHandler => {
    const exported = mod.default;
    if (typeof exported === "function") return new (exported as HandlerClass)(ctx, env);
    if (typeof exported !== "object" || exported === null) throw new WorkerConfigError("The Worker module has no default export");
    return exported as ExportedHandler;
  };

  // Each request and event runs in an I/O context of its own (src/runtime/io-context.ts).
  const fetch = (request: Request): Promise<Response> => runInIoContext(new IoContext(), () => handleFetch(request));
  const handleFetch = async (request: Request): Promise<Response> => {
    const ctx = context();
    const target = handler(ctx);
    if (typeof target.fetch !== "function") throw new WorkerConfigError("The Worker's default export has no fetch() handler");
    try {
      return await (typeof mod.default === "function" ? (target.fetch as (r: Request) => Promise<Response>).call(target, request) : target.fetch(request, env, ctx));
    } catch (error) {
      console.error(error);
      // An object that cannot store its writes or is held elsewhere: the client may retry.
      if (isUnavailable(error)) return new Response("Service Unavailable", { status: 503, headers: { "retry-after": "1" } });
      // Cloudflare answers an uncaught exception with a 500 and logs it.
      return new Response("Internal Server Error", { status: 500 });
    }
  };
  const host: LoopbackHost = { env, context, fetch, enhancedErrors: compatibility.enhancedErrorSerialization };
  Object.assign(exports, loopbackExports(mod, namespaces, host));
  if (!compatibility.disallowImportableEnv) Object.assign(currentExports, exports);
  for (const [binding, { entrypoint = "default", props = {} }] of Object.entries(options.services ?? {})) {
    const stub = loopbackBinding(mod, host, entrypoint, props);
    if (!stub) throw new WorkerConfigError(`Service binding ${binding} names entrypoint "${entrypoint}", which the Worker module does not export as a WorkerEntrypoint class or an object of handlers`);
    env[binding] = stub;
    if (!compatibility.disallowImportableEnv) currentEnv[binding] = stub;
  }

  const scheduled = (controller: Partial<ScheduledController> = {}): Promise<void> => runInIoContext(new IoContext(), () => runScheduled(controller));
  const runScheduled = async (controller: Partial<ScheduledController>): Promise<void> => {
    const ctx = context();
    const target = handler(ctx);
    if (typeof target.scheduled !== "function") throw new WorkerConfigError("The Worker's default export has no scheduled() handler");
    const event: ScheduledController = { scheduledTime: Date.now(), cron: "", noRetry() {}, ...controller };
    await (typeof mod.default === "function"
      ? (target.scheduled as (c: ScheduledController) => unknown).call(target, event)
      : target.scheduled(event, env, ctx));
  };
  const claim = options.lifecycle?.claimCronTick?.bind(options.lifecycle);
  const triggers = options.crons?.length
    ? new CronTriggers({ crons: options.crons, run: (cron, scheduledTime) => scheduled({ cron, scheduledTime }), ...(claim && { claim }) })
    : undefined;
  triggers?.start();

  return {
    env,
    objects,
    fetch: (request) => fetch(incomingRequest(request, !compatibility.noCfBotManagementDefault)),
    scheduled,
    ...(options.lifecycle?.storeUrl !== undefined && { storage: options.lifecycle.storeUrl }),
    async health() {
      const store = (await options.lifecycle?.health?.()) ?? { store: "ok" };
      return stopping ? { ...store, stopping: true } : store;
    },
    ...(options.cluster && { forwarded: forwardHandler(() => registries.values(), options.cluster.secret, forwards), forwards }),
    async dispose() {
      stopping = true;
      await triggers?.stop();
      await Promise.allSettled(background);
      await Promise.all([...registries.values()].map((registry) => registry.dispose()));
      await options.lifecycle?.stopped?.();
    },
  };
}

/** Waking failed because the worker stopped, or another replica holds the object (and fires its alarm). */
const QUIET_WAKE_FAILURES = new Set(["WORKER_DISPOSED", "LEASE_HELD", "HELD_ELSEWHERE"]);

/**
 * Opens every object the store lists with a pending alarm, which schedules it. An object another
 * replica holds fails to open here: its holder fires the alarm. Failures are logged, not thrown.
 */
async function wakePendingAlarms(pending: Promise<ObjectRef[]>, registries: Map<string, ObjectRegistry>): Promise<void> {
  let refs: ObjectRef[];
  try {
    refs = await pending;
  } catch (error) {
    return console.error("dotdo: could not list the objects with pending alarms:", error);
  }
  await Promise.all(
    refs.map(async (ref) => {
      const registry = registries.get(ref.namespace);
      if (!registry) return console.error(`dotdo: Durable Object ${ref.id} has a pending alarm in namespace "${ref.namespace}", which this Worker does not bind`);
      await registry.wake(new DurableObjectId(ref.id, ref.name)).catch((error: unknown) => {
        if (!(error instanceof DotdoError && QUIET_WAKE_FAILURES.has(error.code))) console.error(`dotdo: could not wake Durable Object ${ref.id} for its alarm:`, error);
      });
    }),
  );
}
