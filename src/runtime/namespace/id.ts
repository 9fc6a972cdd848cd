import { hmacSha256, sha256 } from "./sha256";

const encoder = new TextEncoder();

/**
 * A Durable Object id: 64 lowercase hex digits = 16 bytes of identity + a 16-byte MAC
 * keyed by the namespace, so an id from another namespace (or a mistyped one) is refused,
 * as workerd refuses it.
 *
 * Scheme (documented in docs/runtime.md, stable across platforms and restarts):
 *   key      = SHA-256("dotdo:durable-object-namespace:" + namespaceKey)
 *   identity = HMAC-SHA-256(key, "name:" + name)[0..16)      (idFromName)
 *            | 16 random bytes                                 (newUniqueId)
 *   mac      = HMAC-SHA-256(key, "id:" + identity)[0..16)
 */
export class DurableObjectId {
  readonly #hex: string;
  readonly name: string | undefined;

  constructor(hex: string, name?: string) {
    this.#hex = hex;
    this.name = name;
  }

  toString(): string {
    return this.#hex;
  }

  equals(other: { toString(): string }): boolean {
    return other.toString() === this.#hex;
  }
}

/** How many names and checked ids a scheme remembers: hashing costs more than the rest of a request. */
const REMEMBERED = 1024;

/** Mints and checks ids for one namespace. */
export class IdScheme {
  readonly #key: Uint8Array;
  /** Ids by name, and checked ids by themselves, least recently used first. */
  readonly #remembered = new Map<string, string>();
  /** Ids this scheme made: `checked()` need not hash them again. */
  readonly #made = new WeakSet<DurableObjectId>();

  constructor(namespaceKey: string) {
    this.#key = sha256(encoder.encode(`dotdo:durable-object-namespace:${namespaceKey}`));
  }

  fromName(name: string): DurableObjectId {
    const hex = this.#remember(`name:${name}`, () => this.#hex(hmacSha256(this.#key, encoder.encode(`name:${name}`)).subarray(0, 16)));
    return this.#make(hex, name);
  }

  unique(): DurableObjectId {
    return this.#make(this.#hex(crypto.getRandomValues(new Uint8Array(16))));
  }

  fromString(text: unknown): DurableObjectId {
    if (typeof text !== "string" || !/^[0-9a-fA-F]{64}$/.test(text)) {
      throw new TypeError("Invalid Durable Object ID: must be 64 hex digits");
    }
    const hex = text.toLowerCase();
    const valid = this.#remember(`id:${hex}`, () => (this.#hex(hexToBytes(hex.slice(0, 32))) === hex ? hex : ""));
    if (valid === "") throw new TypeError("Durable Object ID is not valid for this namespace.");
    return this.#make(hex);
  }

  /** `id` if this scheme made it, else its string checked as `fromString` does. */
  checked(id: { toString(): string }): DurableObjectId {
    return id instanceof DurableObjectId && this.#made.has(id) ? id : this.fromString(id.toString());
  }

  #make(hex: string, name?: string): DurableObjectId {
    const id = new DurableObjectId(hex, name);
    this.#made.add(id);
    return id;
  }

  #remember(key: string, compute: () => string): string {
    const known = this.#remembered.get(key);
    if (known !== undefined) this.#remembered.delete(key);
    const value = known ?? compute();
    if (this.#remembered.size >= REMEMBERED) this.#remembered.delete(this.#remembered.keys().next().value as string);
    this.#remembered.set(key, value);
    return value;
  }

  #hex(identity: Uint8Array): string {
    const mac = hmacSha256(this.#key, concat(encoder.encode("id:"), identity)).subarray(0, 16);
    return bytesToHex(identity) + bytesToHex(mac);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from({ length: hex.length / 2 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}
