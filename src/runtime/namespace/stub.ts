import { ForwardFailedError } from "../cluster/errors";
import type { Compatibility } from "../compatibility";
import { fetchShortcuts } from "./fetch-shortcuts";
import type { DurableObjectId } from "./id";
import type { ObjectTarget } from "./live-object";
import { claim, currentIoContext, LaterContext, requireOwnContext } from "../io-context";
import { cloneForRpc, reissues, stubs } from "./rpc";

/** A stub's view of its target: `await stub.method(...)` becomes a promise of the result. */
export type DurableObjectStub<T = unknown> = {
  readonly id: DurableObjectId;
  readonly name: string | undefined;
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
} & (T extends object
  ? {
      [K in Exclude<keyof T, "fetch" | "alarm" | "id" | "name">]: T[K] extends (...args: infer A) => infer R
        ? (...args: A) => Promise<Awaited<R>>
        : Promise<Awaited<T[K]>>;
    }
  : Record<string, (...args: unknown[]) => Promise<unknown>>);

/**
 * Makes a stub: `fetch`, `id`, `name`, and any other property as an RPC method that is also
 * awaitable (to read a getter), as workerd's stubs are (with the `rpc` flag or `experimental`;
 * without, other properties are undefined). Before `fetcher_no_get_put_delete`, `get`, `put`
 * and `delete` are shortcuts for `fetch()`. A stub keeps the instance it first reached, so a
 * reset instance keeps failing through it, as in workerd.
 */
export function createStub<T>(
  id: DurableObjectId,
  resolve: (id: DurableObjectId) => Promise<ObjectTarget>,
  compatibility: Pick<Compatibility, "rpc" | "workerdExperimental" | "durableObjectFetchRequiresFullUrl" | "fetchStandardUrl" | "fetcherNoGetPutDelete">,
  /**
   * `received`: made for the receiver of an RPC call (workerd's error then names a
   * `SubrequestChannel`). `anonymous`: a facet's stub (workerd's plain `Fetcher`), with no `id`
   * or `name` of its own: those are RPC members.
   */
  { received = false, anonymous = false }: { received?: boolean; anonymous?: boolean } = {},
): DurableObjectStub<T> {
  let current: ObjectTarget | undefined;
  // The stub belongs to the request that made it, or received it over RPC: workerd's error
  // names what it holds then (an `OutgoingFactory`, a `SubrequestChannel`).
  const owned = () => requireOwnContext(stub, received ? "SubrequestChannel" : "OutgoingFactory");
  // Runs `event` on the live instance. The retired check and the event's start happen in one
  // synchronous step, so an eviction either sees the event (and waits) or the event sees the
  // eviction (and reopens the object). A call that another replica certainly did not run (it
  // was stopping, or gone) is sent again after a new look-up, if it can be sent again.
  const target: Target = async (event, replayable = true) => {
    owned();
    for (let retries = 0; ; ) {
      if (current && !current.retired) {
        try {
          return await event(current);
        } catch (error) {
          if (!replayable || !(error instanceof ForwardFailedError) || !error.undelivered || retries >= FORWARD_RETRIES) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** retries++));
          continue;
        }
      }
      current = await resolve(id);
      if (current.retired) await Promise.resolve(); // its eviction is finishing: look again
    }
  };
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = toRequest(input, init, compatibility.durableObjectFetchRequiresFullUrl || compatibility.fetchStandardUrl);
    return target((live) => live.fetch(request), request.body === null);
  };
  const rpc = compatibility.rpc || compatibility.workerdExperimental;
  const shortcuts: Record<string, unknown> = compatibility.fetcherNoGetPutDelete ? {} : { ...fetchShortcuts(fetch) };
  const members = new Map<string, unknown>();
  // `id` and `name` are own enumerable properties, as on workerd's stubs; so are any the
  // caller sets on the stub, which then shadow RPC members of that name. Object.prototype's
  // members stay what they are (so that e.g. `assert.deepStrictEqual` compares two stubs).
  const own: Record<PropertyKey, unknown> = anonymous ? {} : { id, name: id.name };
  const stub = new Proxy(own as DurableObjectStub<T>, {
    get(_, property) {
      if (property in own) return own[property];
      if (property === "fetch") return fetch;
      if (typeof property === "string" && Object.hasOwn(shortcuts, property)) return shortcuts[property];
      if (!rpc || typeof property !== "string" || property === "then") return undefined;
      let member = members.get(property);
      if (!member) {
        member = rpcMember(property, target, owned);
        members.set(property, member);
      }
      return member;
    },
  });
  stubs.add(stub);
  (anonymous ? facetStubs : objectStubs).add(stub);
  reissues.set(stub, () => {
    owned();
    return createStub(id, resolve, compatibility, { received: true, anonymous });
  });
  return claim(stub, currentIoContext());
}

const objectStubs = new WeakSet<object>();
const facetStubs = new WeakSet<object>();

/** What a Durable Object stub leads to: an object of a namespace, or a facet; undefined for any other value. */
export function objectStubKind(value: object): "object" | "facet" | undefined {
  if (objectStubs.has(value)) return "object";
  return facetStubs.has(value) ? "facet" : undefined;
}

type Target = <T>(event: (live: ObjectTarget) => Promise<T>, replayable?: boolean) => Promise<T>;

/** Tries of a call no replica ran, 50 ms apart and doubling: about 3 s, a hand-over's length. */
const FORWARD_RETRIES = 6;

function rpcMember(name: string, target: Target, owned: () => void) {
  const call = async (...args: unknown[]): Promise<unknown> => {
    owned(); // before the arguments' stubs move
    // The stubs among them belong to the object's context, once the call reaches it.
    const receiver = new LaterContext();
    const cloned = cloneForRpc(args, { params: true, owner: receiver });
    return target((live) => {
      receiver.context = live.ioContext;
      return live.call(name, cloned);
    });
  };
  // `await stub.someGetter` reads the property: the member is also a thenable.
  return Object.assign(call, {
    then<R1, R2>(onFulfilled?: (value: unknown) => R1 | PromiseLike<R1>, onRejected?: (reason: unknown) => R2 | PromiseLike<R2>) {
      return target((live) => live.property(name)).then(onFulfilled, onRejected);
    },
  });
}

/** Without `durable_object_fetch_requires_full_url`, workerd reads a URL relative to this. */
const RELATIVE_BASE = "https://fake-host/";

function toRequest(input: string | URL | Request, init: RequestInit | undefined, requiresFullUrl: boolean): Request {
  // workerd streams a ReadableStream body without being told; undici wants `duplex: "half"`.
  const streamed = init?.body instanceof ReadableStream ? ({ ...init, duplex: "half" } as RequestInit) : init;
  if (input instanceof Request) return streamed ? new Request(input, streamed) : input;
  const url = String(input);
  if (URL.canParse(url)) return new Request(url, streamed);
  if (requiresFullUrl || !URL.canParse(url, RELATIVE_BASE)) throw new TypeError(`Invalid URL: ${url}`);
  return new Request(new URL(url, RELATIVE_BASE), streamed);
}
