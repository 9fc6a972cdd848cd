import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serve } from "../../src/runtime/platform/node";
import { createWorker } from "../../src/runtime/worker";
import { startTestIssuer, tenantClaims, type TestIssuer } from "../auth/helpers/issuer";
import { startTestGateway, type TestGateway } from "./helpers/test-gateway";
import { rawRequest } from "./helpers/raw-http";

/**
 * Requests node:http parses but no web `Request` can carry (probe finding 6: each got a bare
 * 500 and a dropped connection). Sent as raw bytes, since no HTTP client sends them.
 */
let idp: TestIssuer;
let gateway: TestGateway;
let server: Awaited<ReturnType<typeof serve>>;
let root: string;

beforeAll(async () => {
  idp = await startTestIssuer();
  root = await mkdtemp(join(tmpdir(), "dotdo-framing-"));
  gateway = await startTestGateway(idp, root);
  const worker = await createWorker({ default: { fetch: (request: Request) => new Response(new URL(request.url).host) } }, { durableObjects: {} });
  server = await serve(worker, { port: 0, host: "127.0.0.1", handleSignals: false, log: false });
});
afterAll(async () => {
  await server?.close();
  await gateway?.close();
  await idp?.close();
  await rm(root, { recursive: true, force: true });
});

const CASES: [string, (host: string) => string, number, string][] = [
  ["TRACE", (host) => `TRACE /v1/object?key=do/a/lock HTTP/1.1\r\nHost: ${host}\r\n\r\n`, 405, "METHOD_NOT_ALLOWED"],
  ["an asterisk-form target", (host) => `OPTIONS * HTTP/1.1\r\nHost: ${host}\r\n\r\n`, 400, "BAD_REQUEST"],
  ["a Host with user info", () => `GET /v1/object?key=do/a/lock HTTP/1.1\r\nHost: user@127.0.0.1\r\n\r\n`, 400, "BAD_REQUEST"],
  ["a Host with a space", () => `GET /v1/object?key=do/a/lock HTTP/1.1\r\nHost: 127.0.0.1 evil\r\n\r\n`, 400, "BAD_REQUEST"],
];

describe("malformed requests get a 4xx with a typed body, never a bare 500", () => {
  for (const [what, head, status, code] of CASES) {
    it(`the gateway: ${what}`, async () => {
      const answer = await rawRequest(gateway.url, head(new URL(gateway.url).host));
      expect(answer.status).toBe(status);
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code } });
    });
    it(`a server output: ${what}`, async () => {
      const answer = await rawRequest(server.url, head(new URL(server.url).host));
      expect(answer.status).toBe(status);
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code } });
    });
  }

  it("takes an absolute-form target as the URL (RFC 9112), on the gateway and on a server output", async () => {
    const gatewayAnswer = await rawRequest(gateway.url, `GET http://elsewhere.example/v1/object?key=do/a/lock HTTP/1.1\r\nHost: ${new URL(gateway.url).host}\r\n\r\n`);
    expect(gatewayAnswer.status).toBe(401); // no token: the request itself was understood
    const serverAnswer = await rawRequest(server.url, `GET http://elsewhere.example/ HTTP/1.1\r\nHost: ${new URL(server.url).host}\r\n\r\n`);
    expect(serverAnswer).toEqual({ status: 200, body: "elsewhere.example" });
  });

  it("refuses a key segment longer than a file name may be with PATH_FORBIDDEN", async () => {
    const token = await idp.sign(tenantClaims("a"));
    const response = await fetch(`${gateway.url}/v1/object?key=do/${"x".repeat(300)}/lock`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: "PATH_FORBIDDEN" } });
  });
});
