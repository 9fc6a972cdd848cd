import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ObjectPersistence } from "../../src/runtime/persistence/object-persistence";
import { createGatewayStore } from "../../src/runtime/storage/gateway";
import { withPrefix } from "../../src/runtime/storage/prefix";
import { createR2Store } from "../../src/runtime/storage/r2";
import { buildProject } from "../../src/presets/build/index";
import { startTestIssuer, tenantClaims, type TestIssuer } from "../auth/helpers/issuer";
import { dumpDatabase, openDatabase } from "../persistence/sqlite";
import { describeGatewayAttacks, type GatewayTarget } from "./helpers/http-attacks";

/**
 * The gateway as a Cloudflare Worker over an R2 binding: built from src/gateway/wrangler.jsonc
 * with dotdo's own cloudflare preset, run in workerd through miniflare.
 */
const GATEWAY_PROJECT = resolve(import.meta.dirname, "../../src/gateway");

async function startWorkerGateway(idp: TestIssuer): Promise<GatewayTarget> {
  const scratch = await mkdtemp(join(tmpdir(), "dotdo-gateway-worker-"));
  const build = await buildProject({ root: GATEWAY_PROJECT, preset: "cloudflare", outDir: join(scratch, "out") });
  const wrangler = JSON.parse(await readFile(join(build.outDir, "wrangler.json"), "utf8")) as {
    main: string;
    compatibility_date: string;
    r2_buckets: { binding: string }[];
  };
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(build.outDir, wrangler.main),
    modulesRoot: build.outDir,
    compatibilityDate: wrangler.compatibility_date,
    r2Buckets: wrangler.r2_buckets.map((b) => b.binding),
    bindings: { WORKOS_AUTH_DOMAIN: idp.issuer, DOTDO_GATEWAY_AUDIENCE: idp.audience, R2_BUCKET: "dotdo-test" },
  });
  await mf.ready;
  const bucket = createR2Store(await mf.getR2Bucket("BUCKET"), "BUCKET");
  return {
    baseUrl: "http://gateway.test",
    // miniflare has its own undici Request/Response types: cross over by value.
    fetch: async (url, init) => {
      const response = await mf.dispatchFetch(url, {
        method: init.method,
        headers: Object.fromEntries(new Headers(init.headers)),
        body: init.body as string | Uint8Array | undefined,
      });
      const body = init.method === "HEAD" || response.status === 204 ? null : await response.arrayBuffer();
      return new Response(body, { status: response.status, headers: Object.fromEntries(response.headers) });
    },
    bucket,
    close: async () => {
      await mf.dispose();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}

describeGatewayAttacks("gateway as a Worker (R2 binding)", startWorkerGateway);

describe("gateway as a Worker", () => {
  let idp: TestIssuer;
  let target: GatewayTarget;
  beforeAll(async () => {
    idp = await startTestIssuer();
    target = await startWorkerGateway(idp);
  });
  afterAll(async () => {
    await target?.close();
    await idp?.close();
  });

  it("checkpoints and restores an object with only a JWT on the app", async () => {
    const app = async () => {
      const store = createGatewayStore({ url: target.baseUrl, token: await idp.sign(tenantClaims("a")), fetch: (input, init) => target.fetch(String(input), init ?? {}) });
      const { port } = await openDatabase();
      return { port, persistence: new ObjectPersistence({ store: withPrefix(store, "do/notes-1"), port }) };
    };
    const writer = await app();
    await writer.persistence.acquireLease();
    writer.port.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('one'), ('two');");
    expect((await writer.persistence.checkpoint())?.sequence).toBe(1);
    await writer.persistence.releaseLease();

    const reader = await app();
    expect((await reader.persistence.restore())?.sequence).toBe(1);
    expect(dumpDatabase(reader.port)).toEqual(dumpDatabase(writer.port));
    expect(await target.bucket.head("apps/prod/org=acme/tenant=a/do/notes-1/lock")).not.toBeNull();
  });
});
