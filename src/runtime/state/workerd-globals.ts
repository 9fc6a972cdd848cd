import { resolveCompatibility, type Compatibility } from "../compatibility";
import { FixedLengthStream, IdentityTransformStream } from "./identity-transform-stream";
import { WebSocket, WebSocketPair, WebSocketRequestResponsePair } from "./websocket";

type ResponseInitWithSocket = ResponseInit & { webSocket?: WebSocket | null; cf?: unknown };

/** What workerd answers as `navigator.userAgent`; libraries test it to detect Workers. */
export const WORKERS_USER_AGENT = "Cloudflare-Workers";

let installed = false;

/**
 * Off Cloudflare, gives Worker code (and the libraries it uses) workerd's globals: its
 * `WebSocket` class (attachments, `READY_STATE_*`, `accept()`; `new WebSocket(url)` still
 * connects out), `WebSocketPair`, `WebSocketRequestResponsePair`, a `Response` that takes
 * `{ status: 101, webSocket }` (the platform's own refuses status 101) and keeps `cf`, a `Request`
 * that keeps `cf` through `new Request(request)` and `clone()` as workerd's does, `IdentityTransformStream`
 * and `FixedLengthStream`, `scheduler.wait()` and `navigator` as the Worker's compatibility
 * flags make it. Does nothing where `WebSocketPair`
 * already exists (workerd). Before the Worker's flags are known (as its modules load), those of
 * the default compatibility date apply; `createWorker` applies its own.
 */
export function installWorkerdGlobals(compatibility: Compatibility = resolveCompatibility()): void {
  const global = globalThis as Record<string, unknown>;
  if (!installed) {
    if (global.WebSocketPair) return;
    installed = true;
    global.WebSocketPair = WebSocketPair;
    global.WebSocketRequestResponsePair = WebSocketRequestResponsePair;
    global.WebSocket = WebSocket;
    global.Response = upgradeResponse(globalThis.Response);
    global.Request = cfRequest(globalThis.Request);
    global.IdentityTransformStream = IdentityTransformStream;
    global.FixedLengthStream = FixedLengthStream;
    installScheduler(global);
  }
  installNavigator(compatibility);
}

/** `scheduler.wait(ms, { signal })`: resolves after `ms`, rejects with the signal's reason. */
function installScheduler(global: Record<string, unknown>): void {
  const wait = (ms: number, options: { signal?: AbortSignal } = {}): Promise<void> =>
    new Promise((resolve, reject) => {
      const { signal } = options;
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", abort);
        resolve();
      }, ms);
      const abort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", abort, { once: true });
    });
  const scheduler = global.scheduler;
  if (typeof scheduler === "object" && scheduler !== null) Object.defineProperty(scheduler, "wait", { value: wait, configurable: true, writable: true });
  else global.scheduler = { wait };
}

/** The runtime's own `navigator` (Node, Bun and Deno have one), taken before any change. */
const platformNavigator = Object.getOwnPropertyDescriptor(globalThis, "navigator");
let ownNavigator: object | undefined;

/**
 * workerd's `navigator`: the runtime's own with workerd's `userAgent`, `hardwareConcurrency`
 * and `platform`; `language` only with `enable_navigator_language`; no `navigator` at all with
 * `no_global_navigator`.
 */
function installNavigator(compatibility: Compatibility): void {
  if (!compatibility.globalNavigator) {
    Reflect.deleteProperty(globalThis, "navigator");
    return;
  }
  const base: unknown = platformNavigator?.get ? platformNavigator.get.call(globalThis) : platformNavigator?.value;
  const navigator = (ownNavigator ??= typeof base === "object" && base !== null ? base : {});
  const language = compatibility.navigatorLanguage ? "en" : undefined;
  const value = (value: unknown) => ({ value, configurable: true, enumerable: true });
  Object.defineProperties(navigator, {
    userAgent: value(WORKERS_USER_AGENT),
    hardwareConcurrency: value(1),
    platform: value(""),
    language: value(language),
    languages: value(language && Object.freeze([language])),
  });
  Object.defineProperty(globalThis, "navigator", { value: navigator, configurable: true, writable: true });
}

function upgradeResponse(Base: typeof Response): typeof Response {
  const sockets = new WeakMap<Response, WebSocket>();
  class UpgradeResponse extends Base {
    constructor(body?: ConstructorParameters<typeof Response>[0], init?: ResponseInitWithSocket) {
      const webSocket = init?.status === 101 ? init.webSocket : undefined;
      super(body, webSocket ? { ...init, status: 200 } : init);
      if (webSocket) sockets.set(this, webSocket);
      setCf(this, init?.cf);
    }

    get webSocket(): WebSocket | null {
      return sockets.get(this) ?? null;
    }

    // workerd (and Node, Deno) answer `application/json`; Bun adds `;charset=utf-8`.
    static override json(data: unknown, init?: ResponseInit): Response {
      const response = super.json(data, init);
      if (!new Headers(init?.headers).has("content-type")) response.headers.set("content-type", "application/json");
      return response;
    }

    // Responses the platform makes itself (fetch(), Response.json()) stay `instanceof Response`.
    static override [Symbol.hasInstance](value: unknown): boolean {
      return value instanceof Base;
    }
  }
  // Accessors over the platform's own (declared as fields in the lib types, hence here).
  Object.defineProperties(UpgradeResponse.prototype, {
    status: {
      get(this: Response) {
        return sockets.has(this) ? 101 : Reflect.get(Base.prototype, "status", this);
      },
    },
    ok: {
      get(this: Response) {
        return sockets.has(this) ? false : Reflect.get(Base.prototype, "ok", this);
      },
    },
  });
  keepCfInClones(Base.prototype);
  return UpgradeResponse;
}

type WithCf = { cf?: unknown };

function setCf(message: Request | Response, cf: unknown): void {
  if (cf !== undefined) Object.defineProperty(message, "cf", { value: cf, configurable: true, enumerable: false });
}

/**
 * workerd's `Request` carries `cf` (set from the platform's headers, see request-cf.ts) into a
 * copy: `new Request(request)`, `new Request(url, { cf })` and `request.clone()`. Libraries
 * (partyserver) copy the request before handing it to an object, which reads `request.cf`.
 */
function cfRequest(Base: typeof Request): typeof Request {
  class CfRequest extends Base {
    constructor(input: Request | string | URL, init?: RequestInit & { cf?: unknown }) {
      super(input, init);
      setCf(this, init?.cf ?? (input instanceof Base ? (input as WithCf).cf : undefined));
    }

    // Requests the platform makes itself (incoming ones) stay `instanceof Request`.
    static override [Symbol.hasInstance](value: unknown): boolean {
      return value instanceof Base;
    }
  }
  keepCfInClones(Base.prototype);
  return CfRequest;
}

/** `clone()` copies `cf` too, as workerd's does (assigned, not redefined: Bun's `clone` is writable but not configurable). */
function keepCfInClones(prototype: Request | Response): void {
  const clone = prototype.clone as (this: Request | Response) => Request | Response;
  (prototype as { clone: unknown }).clone = function (this: (Request | Response) & WithCf) {
    const copy = clone.call(this);
    setCf(copy, this.cf);
    return copy;
  };
}
