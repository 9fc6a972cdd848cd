import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ObjectPersistence } from "../../src/runtime/persistence/object-persistence";
import { createGatewayStore } from "../../src/runtime/storage/gateway";
import { withPrefix } from "../../src/runtime/storage/prefix";
import { startTestIssuer, tenantClaims, type TestIssuer } from "../auth/helpers/issuer";
import { dumpDatabase, openDatabase } from "../persistence/sqlite";
import { describeGatewayAttacks, type GatewayTarget } from "./helpers/http-attacks";
import { startWorkerGateway } from "./helpers/worker-gateway";

/** The gateway as a Cloudflare Worker over an R2 binding, in workerd (miniflare). */
describeGatewayAttacks("gateway as a Worker (R2 binding)", (idp) => startWorkerGateway(idp));

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
