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

/** Mints and checks ids for one namespace. */
export class IdScheme {
  readonly #key: Uint8Array;

  constructor(namespaceKey: string) {
    this.#key = sha256(encoder.encode(`dotdo:durable-object-namespace:${namespaceKey}`));
  }

  fromName(name: string): DurableObjectId {
    const identity = hmacSha256(this.#key, encoder.encode(`name:${name}`)).subarray(0, 16);
    return new DurableObjectId(this.#hex(identity), name);
  }

  unique(): DurableObjectId {
    return new DurableObjectId(this.#hex(crypto.getRandomValues(new Uint8Array(16))));
  }

  fromString(text: unknown): DurableObjectId {
    if (typeof text !== "string" || !/^[0-9a-fA-F]{64}$/.test(text)) {
      throw new TypeError("Invalid Durable Object ID: must be 64 hex digits");
    }
    const hex = text.toLowerCase();
    if (this.#hex(hexToBytes(hex.slice(0, 32))) !== hex) {
      throw new TypeError("Durable Object ID is not valid for this namespace.");
    }
    return new DurableObjectId(hex);
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
