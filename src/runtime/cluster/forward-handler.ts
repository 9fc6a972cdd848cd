import { DotdoError } from "../errors";
import { sha256Hex } from "../sha256";
import { decodeValue, encodeValue } from "../state/value-codec";
import { DurableObjectId } from "../namespace/id";
import type { ObjectRegistry } from "../namespace/object-registry";
import { HeldElsewhereError } from "./errors";
import { ForwardRefusedError, SignatureVerifier } from "./signature";
import type { ForwardStats } from "./stats";

/** Headers of the forwarding protocol: removed before the inner request reaches the object. */
const PROTOCOL_HEADERS = ["x-dotdo-call", "x-dotdo-namespace", "x-dotdo-object", "x-dotdo-object-name", "x-dotdo-detail", "x-dotdo-signature"];

/**
 * Serves calls other replicas forward to the objects this one holds (`RemoteObject` sends
 * them): checks the signature first, then runs the event on the local instance. A replica
 * that does not hold the object answers 421 and names the holder, never forwards again.
 */
export function forwardHandler(registries: () => Iterable<ObjectRegistry>, secret: string, stats: ForwardStats): (request: Request) => Promise<Response> {
  const verifier = new SignatureVerifier(secret);
  return async (request) => {
    stats.received++;
    stats.lastReceivedAt = Date.now();
    const kind = request.headers.get("x-dotdo-call") ?? "";
    const namespace = request.headers.get("x-dotdo-namespace") ?? "";
    const id = request.headers.get("x-dotdo-object") ?? "";
    const detail = decodeURIComponent(request.headers.get("x-dotdo-detail") ?? "");
    const body = kind === "fetch" ? null : new Uint8Array(await request.arrayBuffer());
    try {
      await verifier.verify(request.headers.get("x-dotdo-signature"), { kind, binding: namespace, id, detail, bodySha256: body ? await sha256Hex(body) : "" });
    } catch (error) {
      if (error instanceof ForwardRefusedError) return Response.json({ error: error.code, message: error.message }, { status: 401 });
      throw error;
    }
    const registry = [...registries()].find((candidate) => candidate.namespace === namespace);
    if (!registry || !["fetch", "call", "property"].includes(kind)) return Response.json({ error: "BAD_FORWARD", message: `no ${kind} for ${namespace}` }, { status: 400 });
    const name = request.headers.get("x-dotdo-object-name");
    let live;
    try {
      live = await registry.instance(new DurableObjectId(id, name === null ? undefined : decodeURIComponent(name)));
    } catch (error) {
      if (error instanceof HeldElsewhereError) return new Response(error.message, { status: 421, headers: { "x-dotdo-holder": error.address } });
      return new Response(error instanceof Error ? error.message : String(error), { status: 503 });
    }
    try {
      if (kind === "fetch") {
        const space = detail.indexOf(" ");
        const headers = new Headers(request.headers);
        for (const header of PROTOCOL_HEADERS) headers.delete(header);
        const method = detail.slice(0, space);
        const inner = new Request(detail.slice(space + 1), { method, headers, ...(method === "GET" || method === "HEAD" ? {} : { body: request.body, duplex: "half" }) } as RequestInit);
        return await live.fetch(inner);
      }
      const result = kind === "call" ? await live.call(detail, decodeValue(body!) as unknown[]) : await live.property(detail);
      return new Response(encodeValue(result));
    } catch (error) {
      const { name: errorName, message } = error instanceof Error ? error : { name: "Error", message: String(error) };
      // dotdo's own errors keep their code, so the caller's replica answers them as this one would.
      const code = error instanceof DotdoError ? { code: error.code } : {};
      return Response.json({ name: errorName, message, ...code }, { status: 500, headers: { "x-dotdo-error": "1" } });
    }
  };
}
