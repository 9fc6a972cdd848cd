import { DotdoError } from "../errors";
import { timingSafeEqual } from "../timing-safe";

/** A forwarded call whose signature is missing, forged, stale or replayed. */
export class ForwardRefusedError extends DotdoError {
  constructor(reason: string) {
    super("FORWARD_REFUSED", `internal call refused: ${reason}`);
  }
}

/** How far a signature's time may be from the receiver's clock, either way. */
const MAX_SKEW_MS = 30_000;

/** What a signature covers: the call, its target, and the body's SHA-256 (hex, or "" when streamed). */
export interface SignedCall {
  kind: string;
  binding: string;
  id: string;
  /** The method name (RPC) or the inner request's method and URL (fetch). */
  detail: string;
  bodySha256: string;
}

/** Imported once per secret: importing costs more than signing a call. */
const keys = new Map<string, ReturnType<typeof crypto.subtle.importKey>>();

async function hmac(secret: string, text: string): Promise<string> {
  let key = keys.get(secret);
  if (!key) keys.set(secret, (key = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])));
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await key, new TextEncoder().encode(text)));
  return [...mac].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

function canonical(call: SignedCall, time: number, nonce: string): string {
  return [time, nonce, call.kind, call.binding, call.id, call.detail, call.bodySha256].join("\n");
}

/** The `x-dotdo-signature` header for `call`: time, a fresh nonce, and an HMAC-SHA-256 over both and the call. */
export async function signCall(secret: string, call: SignedCall, now = Date.now()): Promise<string> {
  const nonce = crypto.randomUUID();
  return `t=${now},n=${nonce},s=${await hmac(secret, canonical(call, now, nonce))}`;
}

/**
 * Checks a signature; each nonce is accepted once while its time is acceptable, so a captured
 * call cannot be replayed. Throws `ForwardRefusedError`.
 */
export class SignatureVerifier {
  readonly #secret: string;
  readonly #seen = new Map<string, number>();

  constructor(secret: string) {
    this.#secret = secret;
  }

  async verify(header: string | null, call: SignedCall, now = Date.now()): Promise<void> {
    const fields = Object.fromEntries((header ?? "").split(",").map((part) => [part.slice(0, part.indexOf("=")), part.slice(part.indexOf("=") + 1)]));
    const time = Number(fields.t);
    const { n: nonce, s: signature } = fields;
    if (!header || !Number.isSafeInteger(time) || !nonce || !signature) throw new ForwardRefusedError("no signature");
    if (Math.abs(now - time) > MAX_SKEW_MS) throw new ForwardRefusedError("signature too old or from the future");
    if (!timingSafeEqual(signature, await hmac(this.#secret, canonical(call, time, nonce)))) throw new ForwardRefusedError("bad signature");
    for (const [seen, at] of this.#seen) if (now - at > 2 * MAX_SKEW_MS) this.#seen.delete(seen);
    if (this.#seen.has(nonce)) throw new ForwardRefusedError("replayed");
    this.#seen.set(nonce, time);
  }
}
