import { brandClass } from "./rpc-path";
import { cloneForRpc, stubs } from "./rpc";
import type { DurableObjectId } from "./id";
import type { DurableObjectClass as ObjectConstructor } from "./live-object";

type Props = Record<string, unknown>;

/** What a class handle stands for: one of the Worker's Durable Object classes, and the `ctx.props` its instances get. */
export interface ObjectClassHandle {
  readonly className: string;
  readonly ctor: ObjectConstructor;
  readonly props: Props;
  /** Made by calling the loopback class with `{ props }`: only those can be stored or sent over RPC. */
  readonly specialised: boolean;
}

const handles = new WeakMap<object, ObjectClassHandle>();

/** workerd's `DurableObjectClass`: what `ctx.exports.MyClass({ props })` gives, for `ctx.facets.get()`. */
export const DurableObjectClass = brandClass((value) => handles.has(value));

/**
 * `ctx.exports.MyClass` for an exported Durable Object class (workerd's
 * `LoopbackDurableObjectClass`): a handle on the class, callable with `{ props }` for one whose
 * instances get those as `ctx.props`. Passed over RPC by reference.
 */
export function objectClass(className: string, ctor: ObjectConstructor, props: Props = {}, specialised = false): object {
  const handle: ObjectClassHandle = { className, ctor, props, specialised };
  const value: object = new Proxy(function specialise() {}, {
    apply: (_, __, [options]: [{ props?: Props }?]) => objectClass(className, ctor, cloneForRpc(options?.props ?? {}), true),
    get(_, property) {
      if (property === Symbol.toPrimitive) return () => `[object ${specialised ? "DurableObjectClass" : "LoopbackDurableObjectClass"}]`;
      return undefined;
    },
  });
  handles.set(value, handle);
  stubs.add(value);
  return value;
}

/** The class `value` is a handle on; undefined for any other value. */
export function objectClassOf(value: unknown): ObjectClassHandle | undefined {
  return (typeof value === "function" || typeof value === "object") && value !== null ? handles.get(value) : undefined;
}

/** `ctx.exports` namespaces, by the class they stand for. */
const namespaceClasses = new WeakMap<object, ObjectClassHandle>();

/** What a stub made through a `ctx.exports` namespace reaches: only those can be stored. */
export interface LoopbackObjectStub {
  readonly className: string;
  readonly id: DurableObjectId;
}

const loopbackStubs = new WeakMap<object, LoopbackObjectStub>();

/** Methods of a namespace that make stubs. */
const STUB_MAKERS = new Set<PropertyKey>(["get", "getByName"]);

/**
 * `ctx.exports.MyClass` for a bound Durable Object class (workerd's
 * `LoopbackDurableObjectNamespace`): the namespace, also callable with `{ props }` for a class
 * handle, as the unbound class's export is.
 */
export function loopbackNamespace(namespace: object, className: string, ctor: ObjectConstructor): object {
  const value: object = new Proxy(function specialise() {}, {
    apply: (_, __, [options]: [{ props?: Props }?]) => objectClass(className, ctor, cloneForRpc(options?.props ?? {}), true),
    get(_, property) {
      const member: unknown = Reflect.get(namespace, property, namespace);
      if (typeof member !== "function") return member;
      const bound = (member as (...args: unknown[]) => unknown).bind(namespace);
      if (!STUB_MAKERS.has(property)) return bound;
      return (...args: unknown[]) => {
        const stub = bound(...args) as { id: DurableObjectId };
        loopbackStubs.set(stub, { className, id: stub.id });
        return stub;
      };
    },
  });
  namespaceClasses.set(value, { className, ctor, props: {}, specialised: false });
  return value;
}

/** The class and id a stub made through a `ctx.exports` namespace reaches; undefined for any other value. */
export function loopbackObjectStubOf(value: object): LoopbackObjectStub | undefined {
  return loopbackStubs.get(value);
}

/** Whether `value` is a `ctx.exports` namespace. */
export function isLoopbackNamespace(value: object): boolean {
  return namespaceClasses.has(value);
}

/** The class a facet runs: a class handle's, or a `ctx.exports` namespace's. */
export function facetClassOf(value: unknown): ObjectClassHandle | undefined {
  return objectClassOf(value) ?? ((typeof value === "function" || typeof value === "object") && value !== null ? namespaceClasses.get(value) : undefined);
}
