import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenVerifier } from "../../src/runtime/auth";
import { createFileStore } from "../../src/runtime/storage/file";
import type { ObjectStore } from "../../src/runtime/storage/types";
import { createGatewayHandler } from "../../src/gateway";
import { serveGateway, type NodeGateway } from "../../src/gateway/node";
import { buildAttacks, VICTIM_KEY, type Attack, type Operation } from "../auth/helpers/attacks";
import { startTestIssuer, tenantClaims, type TestIssuer } from "../auth/helpers/issuer";
import { fingerprint, Tally } from "../auth/helpers/tally";
import { tempDirs } from "../storage/temp-dir";

/**
 * The attack catalogue of the runtime suite, sent as raw HTTP to the gateway on Node over
 * the file backend (not through the client, which would refuse bad keys before sending).
 * Each attack must get 401 (untrusted token) or 403 (trusted token, not granted) with the
 * expected error code, and the bucket folder must be unchanged afterwards.
 */
const newDir = tempDirs();
let idp: TestIssuer;
let gateway: NodeGateway;
let bucket: ObjectStore;
let attacks: Attack[];
const tally = new Tally("gateway (HTTP)");

beforeAll(async () => {
  idp = await startTestIssuer();
  attacks = await buildAttacks(idp);
  bucket = await createFileStore(await newDir());
  await bucket.put(`apps/prod/acme/b/${VICTIM_KEY}`, new TextEncoder().encode("tenant b's lease"));
  await bucket.put("apps/prod/acme/a/do/obj1/lock", new TextEncoder().encode("tenant a's lease"));
  const handler = createGatewayHandler({
    store: bucket,
    verifier: createTokenVerifier({ issuer: idp.issuer, audience: idp.audience }),
    bucket: "dotdo-test",
  });
  gateway = await serveGateway(handler);
});
afterAll(async () => {
  tally.print();
  await gateway?.close();
  await idp?.close();
});

function send(operation: Operation, headers: Record<string, string>, query?: string): Promise<Response> {
  const list = operation.kind === "list";
  const url = new URL(`${gateway.url}${list ? "/v1/list" : "/v1/object"}`);
  if (query !== undefined) url.search = query;
  else url.searchParams.set(list ? "prefix" : "key", list ? operation.prefix : operation.key);
  const method = { get: "GET", head: "HEAD", put: "PUT", delete: "DELETE", list: "GET" }[operation.kind];
  return fetch(url, { method, headers, body: operation.kind === "put" ? "attacker was here" : undefined });
}

async function outcome(response: Response): Promise<{ status: number; code: string }> {
  const text = await response.text();
  const code = text ? (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? "" : "(no body)";
  return { status: response.status, code };
}

const expectedStatus = (codes: readonly string[]) => (codes.every((code) => code.startsWith("TOKEN_")) ? 401 : 403);

describe("gateway under attack", () => {
  it("refuses every attack in the catalogue with 401/403 and writes nothing", async () => {
    const before = await fingerprint(bucket);
    for (const attack of attacks) {
      const { status, code } = await outcome(await send(attack.operation, { authorization: `Bearer ${attack.token}` }));
      const codeOk = attack.operation.kind === "head" ? code === "(no body)" : attack.codes.includes(code);
      const unchanged = (await fingerprint(bucket)) === before;
      const refused = status === expectedStatus(attack.codes) && codeOk && unchanged;
      tally.record(attack.category, refused);
      expect({ attack: `${attack.category}: ${attack.name}`, status, code, unchanged }).toEqual({
        attack: `${attack.category}: ${attack.name}`,
        status: expectedStatus(attack.codes),
        code: codeOk ? code : `one of ${attack.codes.join(", ")}`,
        unchanged: true,
      });
    }
  });

  it("refuses requests that are malformed at the HTTP level", async () => {
    const before = await fingerprint(bucket);
    const token = await idp.sign(tenantClaims("a"));
    const put: Operation = { kind: "put", key: "do/obj1/lock" };
    const cases: [string, Promise<Response>, number, string][] = [
      ["no Authorization header", send(put, {}), 401, "TOKEN_INVALID"],
      ["Basic credentials", send(put, { authorization: `Basic ${btoa("a:b")}` }), 401, "TOKEN_INVALID"],
      ["two bearer tokens", send(put, { authorization: `Bearer ${token} ${token}` }), 401, "TOKEN_INVALID"],
      ["token in the query string", send(put, {}, `key=do/obj1/lock&access_token=${token}`), 401, "TOKEN_INVALID"],
      ["key given twice", send(put, { authorization: `Bearer ${token}` }, "key=do/obj1/lock&key=../b/do/obj1/lock"), 403, "PATH_FORBIDDEN"],
      ["prefix given twice", send({ kind: "list", prefix: "" }, { authorization: `Bearer ${token}` }, "prefix=do/&prefix=../b/"), 403, "PATH_FORBIDDEN"],
    ];
    for (const [name, response, status, code] of cases) {
      const result = await outcome(await response);
      tally.record("malformed HTTP", result.status === status && result.code === code);
      expect({ name, ...result }).toEqual({ name, status, code });
    }
    const noKey = await outcome(await send(put, { authorization: `Bearer ${token}` }, ""));
    expect(noKey).toEqual({ status: 400, code: "BAD_REQUEST" });
    expect(await fingerprint(bucket)).toBe(before);
  });

  it("serves the owner (control)", async () => {
    const token = await idp.sign(tenantClaims("b"));
    const response = await send({ kind: "get", key: VICTIM_KEY }, { authorization: `Bearer ${token}` });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("tenant b's lease");
  });
});
