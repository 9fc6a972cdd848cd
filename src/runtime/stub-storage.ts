/**
 * Stubs in Durable Object storage, as workerd's `allow_irrevocable_stub_storage` allows them: a
 * service stub made from `ctx.exports` with `{ props }`, a Durable Object class handle, and a
 * stub made through a `ctx.exports` namespace are stored as what they stand for (the export's
 * name, and the props, which may hold more of them, or the object's id) and come back as live
 * ones, also after a restart. Without the flag, storing one fails as on workerd, and so does
 * reading one stored while the flag was on. Other stubs and ids are refused as workerd refuses them.
 */
import { errorWithCode } from "./errors";
import { serviceStubOf } from "./loopback";
import { DurableObjectId } from "./namespace/id";
import { isLoopbackNamespace, loopbackObjectStubOf, objectClassOf } from "./namespace/object-class";
import { objectStubKind } from "./namespace/stub";
import { domException, ValueDecodeError, type ExternalForm, type ValueExternals } from "./state/value-codec";

type Props = Record<string, unknown>;

/** How stored stubs become live again: undefined when the Worker no longer exports that name. */
export interface StubReviver {
  service(entrypoint: string, props: Props): object | undefined;
  objectClass(className: string, props: Props): object | undefined;
  object(className: string, id: DurableObjectId): object | undefined;
}

/** A stored stub names an export the Worker no longer has. */
export class StoredStubError extends errorWithCode("STORED_STUB_UNKNOWN") {}

const SERVICE = "service";
const CLASS = "class";
const OBJECT = "object";

const unserializable = (type: string) => domException(`Could not serialize object of type "${type}". This type does not support serialization.`, "DataCloneError");
const notHere = (type: string, verb: "serialized" | "deserialized") => domException(`${type} cannot be ${verb} in this context.`, "DataCloneError");
const NOT_PERSISTENT = "Cannot store this stub because the target worker does not have the allow_irrevocable_stub_storage compatibility flag enabled.";

/** The codec hooks for one Worker's storage: `allowed` is its `allow_irrevocable_stub_storage`. */
export function stubStorage(allowed: boolean, revive: StubReviver): ValueExternals {
  return {
    write(value): ExternalForm | undefined {
      const service = serviceStubOf(value);
      if (service) {
        // As on workerd: a `ctx.exports` entry must be given props first; a configured binding is never stored.
        if (service.origin === "exports") throw unserializable("LoopbackServiceStub");
        if (!allowed) throw notHere("ServiceStub", "serialized");
        if (service.origin === "binding") throw domException(NOT_PERSISTENT, "DataCloneError");
        return { kind: SERVICE, name: service.entrypoint, detail: service.props };
      }
      const handle = objectClassOf(value);
      if (handle) {
        if (!handle.specialised) throw unserializable("LoopbackDurableObjectClass");
        if (!allowed) throw notHere("DurableObjectClass", "serialized");
        return { kind: CLASS, name: handle.className, detail: handle.props };
      }
      return objectStub(value, allowed);
    },
    read({ kind, name, detail }): unknown {
      const props = detail as Props;
      if (kind === SERVICE) {
        if (!allowed) throw notHere("ServiceStub", "deserialized");
        return revive.service(name, props) ?? unknownExport("entrypoint", name);
      }
      if (kind === CLASS) {
        if (!allowed) throw notHere("DurableObjectClass", "deserialized");
        return revive.objectClass(name, props) ?? unknownExport("Durable Object class", name);
      }
      if (kind === OBJECT) {
        // workerd reads any stub back as a `ServiceStub`.
        if (!allowed) throw notHere("ServiceStub", "deserialized");
        const { id, name: idName } = detail as { id: string; name?: string };
        return revive.object(name, new DurableObjectId(id, idName)) ?? unknownExport("Durable Object namespace", name);
      }
      throw new ValueDecodeError(`Stored value holds a stub of unknown kind "${kind}"`);
    },
  };
}

/** A Durable Object stub, a namespace or an id: only a stub made through `ctx.exports` is stored. */
function objectStub(value: object, allowed: boolean): ExternalForm | undefined {
  if (isLoopbackNamespace(value)) throw unserializable("LoopbackDurableObjectNamespace");
  if (value instanceof DurableObjectId) throw unserializable("DurableObjectId");
  const kind = objectStubKind(value);
  if (!kind) return undefined;
  if (kind === "facet") throw domException("Stubs pointing to Durable Object facets are not serializable.", "DataCloneError");
  // A Durable Object stub is a `ServiceStub` to workerd's serializer.
  if (!allowed) throw notHere("ServiceStub", "serialized");
  const loopback = loopbackObjectStubOf(value);
  if (!loopback) throw domException(NOT_PERSISTENT, "DataCloneError");
  const { id } = loopback;
  return { kind: OBJECT, name: loopback.className, detail: { id: id.toString(), ...(id.name !== undefined && { name: id.name }) } };
}

function unknownExport(what: string, name: string): never {
  throw new StoredStubError(`A stored stub names ${what} "${name}", which the Worker no longer exports`);
}
