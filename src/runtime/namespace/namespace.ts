import { DurableObjectId, IdScheme } from "./id";
import type { ObjectRegistry } from "./object-registry";
import { createStub, type DurableObjectStub } from "./stub";

export interface GetOptions {
  /** Accepted for compatibility; there is one location here. */
  locationHint?: string;
}

/** `env.MY_DO`: ids and stubs for one Durable Object class. */
export class DurableObjectNamespace<T = unknown> {
  readonly #ids: IdScheme;
  readonly #registry: ObjectRegistry;

  /** `namespaceKey` seeds the ids: the same key and name give the same id everywhere. */
  constructor(namespaceKey: string, registry: ObjectRegistry) {
    this.#ids = new IdScheme(namespaceKey);
    this.#registry = registry;
  }

  idFromName(name: string): DurableObjectId {
    return this.#ids.fromName(`${name}`);
  }

  newUniqueId(_options?: { jurisdiction?: string }): DurableObjectId {
    return this.#ids.unique();
  }

  idFromString(id: string): DurableObjectId {
    return this.#ids.fromString(id);
  }

  get(id: DurableObjectId, _options?: GetOptions): DurableObjectStub<T> {
    // An id minted by another namespace is refused here, as workerd refuses it.
    const checked = this.#ids.checked(id);
    // The stub's `id` is the caller's id object itself, as on workerd.
    const target = id instanceof DurableObjectId ? id : checked;
    return createStub<T>(target, (resolved) => this.#registry.target(resolved), this.#registry.compatibility);
  }

  getByName(name: string, options?: GetOptions): DurableObjectStub<T> {
    return this.get(this.idFromName(name), options);
  }

  /** Jurisdictions do not apply off Cloudflare: the same namespace. */
  jurisdiction(_name: string): DurableObjectNamespace<T> {
    return this;
  }
}
