import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ObjectStore } from "../../../src/runtime/storage/types";
import { buildAttacks, VICTIM_KEY, type Attack, type Operation } from "../../auth/helpers/attacks";
import { startTestIssuer, tenantClaims, type TestIssuer } from "../../auth/helpers/issuer";
import { fingerprint, Tally } from "../../auth/helpers/tally";

/** A running gateway: where to send requests, and the bucket behind it (to seed and to check). */
export interface GatewayTarget {
  baseUrl: string;
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  bucket: ObjectStore;
  close(): Promise<void>;
}

/**
 * The runtime suite's attack catalogue, sent as raw HTTP (not through the client, which
 * would refuse bad keys before sending). Each attack must get 401 (untrusted token) or 403
 * (trusted token, not granted) with the expected error code, and the bucket must be
 * unchanged afterwards (every key, etag and body).
 */
export function describeGatewayAttacks(name: string, start: (idp: TestIssuer) => Promise<GatewayTarget>): void {
  describe(`${name} under attack`, () => {
    let idp: TestIssuer;
    let target: GatewayTarget;
    let attacks: Attack[];
    const tally = new Tally(name);

    beforeAll(async () => {
      idp = await startTestIssuer();
      attacks = await buildAttacks(idp);
      target = await start(idp);
      await target.bucket.put(`apps/prod/org=acme/tenant=b/${VICTIM_KEY}`, new TextEncoder().encode("tenant b's lease"));
      await target.bucket.put("apps/prod/org=acme/tenant=a/do/obj1/lock", new TextEncoder().encode("tenant a's lease"));
    });
    afterAll(async () => {
      tally.print();
      await target?.close();
      await idp?.close();
    });

    function send(operation: Operation, headers: Record<string, string>, query?: string): Promise<Response> {
      const list = operation.kind === "list";
      const url = new URL(`${target.baseUrl}${list ? "/v1/list" : "/v1/object"}`);
      if (query !== undefined) url.search = query;
      else url.searchParams.set(list ? "prefix" : "key", list ? operation.prefix : operation.key);
      const method = { get: "GET", head: "HEAD", put: "PUT", delete: "DELETE", list: "GET" }[operation.kind];
      return target.fetch(url.href, { method, headers, body: operation.kind === "put" ? "attacker was here" : undefined });
    }

    it("refuses every attack in the catalogue with 401/403 and writes nothing", async () => {
      const bodiesBefore = await fingerprint(target.bucket, { bodies: true });
      const before = await fingerprint(target.bucket);
      for (const attack of attacks) {
        const { status, code } = await outcome(await send(attack.operation, { authorization: `Bearer ${attack.token}` }));
        const codeOk = attack.operation.kind === "head" ? code === NO_BODY : attack.codes.includes(code);
        const unchanged = (await fingerprint(target.bucket)) === before;
        tally.record(attack.category, status === expectedStatus(attack.codes) && codeOk && unchanged);
        expect({ attack: `${attack.category}: ${attack.name}`, status, code, unchanged }).toEqual({
          attack: `${attack.category}: ${attack.name}`,
          status: expectedStatus(attack.codes),
          code: codeOk ? code : `one of ${attack.codes.join(", ")}`,
          unchanged: true,
        });
      }
      expect(await fingerprint(target.bucket, { bodies: true })).toBe(bodiesBefore);
    });

    it("refuses requests that are malformed at the HTTP level", async () => {
      const before = await fingerprint(target.bucket);
      const token = await idp.sign(tenantClaims("a"));
      const bearer = { authorization: `Bearer ${token}` };
      const put: Operation = { kind: "put", key: "do/obj1/lock" };
      const cases: [string, () => Promise<Response>, number, string][] = [
        ["no Authorization header", () => send(put, {}), 401, "TOKEN_INVALID"],
        ["Basic credentials", () => send(put, { authorization: `Basic ${btoa("a:b")}` }), 401, "TOKEN_INVALID"],
        ["two bearer tokens", () => send(put, { authorization: `Bearer ${token} ${token}` }), 401, "TOKEN_INVALID"],
        ["token in the query string", () => send(put, {}, `key=do/obj1/lock&access_token=${token}`), 401, "TOKEN_INVALID"],
        ["key given twice", () => send(put, bearer, "key=do/obj1/lock&key=../b/do/obj1/lock"), 403, "PATH_FORBIDDEN"],
        ["prefix given twice", () => send({ kind: "list", prefix: "" }, bearer, "prefix=do/&prefix=../b/"), 403, "PATH_FORBIDDEN"],
      ];
      for (const [label, request, status, code] of cases) {
        const result = await outcome(await request());
        tally.record("malformed HTTP", result.status === status && result.code === code);
        expect({ label, ...result }).toEqual({ label, status, code });
      }
      expect(await outcome(await send(put, bearer, ""))).toEqual({ status: 400, code: "BAD_REQUEST" });
      expect(await fingerprint(target.bucket)).toBe(before);
    });

    it("serves the owner (control)", async () => {
      const token = await idp.sign(tenantClaims("b"));
      const response = await send({ kind: "get", key: VICTIM_KEY }, { authorization: `Bearer ${token}` });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe("tenant b's lease");
      // A token narrowed to one object (storage.objects) still reaches that object.
      const storage = { bucket: "dotdo-test", prefix: "apps/prod", permissions: ["read"], objects: ["obj1"] };
      const narrow = await send({ kind: "get", key: VICTIM_KEY }, { authorization: `Bearer ${await idp.sign(tenantClaims("b", { storage }))}` });
      expect(await narrow.text()).toBe("tenant b's lease");
    });
  });
}

const NO_BODY = "(no body)";

async function outcome(response: Response): Promise<{ status: number; code: string }> {
  const text = await response.text();
  const code = text ? ((JSON.parse(text) as { error?: { code?: string } }).error?.code ?? "") : NO_BODY;
  return { status: response.status, code };
}

const expectedStatus = (codes: readonly string[]) => (codes.every((code) => code.startsWith("TOKEN_")) ? 401 : 403);
