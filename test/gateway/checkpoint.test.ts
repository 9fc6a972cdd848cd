import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ObjectPersistence } from "../../src/runtime/persistence/object-persistence";
import { createStore } from "../../src/runtime/storage/create";
import { withPrefix } from "../../src/runtime/storage/prefix";
import { startTestIssuer, tenantClaims, type TestIssuer } from "../auth/helpers/issuer";
import { dumpDatabase, openDatabase } from "../persistence/sqlite";
import { tempDirs } from "../storage/temp-dir";
import { startTestGateway, type TestGateway } from "./helpers/test-gateway";

/**
 * A Durable Object's state checkpointed and restored through the gateway, with the app
 * holding nothing but a JWT: the bucket credentials (here, the folder) stay with the gateway.
 */
const newDir = tempDirs();
let idp: TestIssuer;
let gateway: TestGateway;
let bucketRoot: string;

beforeAll(async () => {
  idp = await startTestIssuer();
  bucketRoot = await newDir();
  gateway = await startTestGateway(idp, bucketRoot);
});
afterAll(async () => {
  await gateway?.close();
  await idp?.close();
});

/** What an app instance builds from its environment: a JWT and the gateway's address, no bucket credentials. */
async function appInstance(tenant: string, objectId: string) {
  const env = { JWT_TOKEN: await idp.sign(tenantClaims(tenant)), DOTDO_GATEWAY_URL: gateway.url };
  const store = withPrefix(await createStore(env), `do/${objectId}`);
  const { port } = await openDatabase();
  return { port, persistence: new ObjectPersistence({ store, port }) };
}

describe("checkpoint and restore through the gateway", () => {
  it("restores exactly what another instance checkpointed, fenced by the lease", async () => {
    const writer = await appInstance("a", "counter-1");
    expect(await writer.persistence.restore()).toBeNull();
    await writer.persistence.acquireLease();
    writer.port.exec("CREATE TABLE visits (id INTEGER PRIMARY KEY, path TEXT, at REAL); CREATE INDEX by_path ON visits (path);");
    writer.port.exec("INSERT INTO visits (path, at) VALUES ('/', 1.5), ('/about', 2), (NULL, 3)");
    expect((await writer.persistence.checkpoint())?.sequence).toBe(1);
    writer.port.exec("UPDATE visits SET path = '/home' WHERE id = 1");
    expect((await writer.persistence.checkpoint())?.sequence).toBe(2);

    const rival = await appInstance("a", "counter-1");
    await expect(rival.persistence.acquireLease()).rejects.toMatchObject({ code: "LEASE_HELD" });
    await writer.persistence.releaseLease();

    const reader = await appInstance("a", "counter-1");
    expect((await reader.persistence.restore())?.sequence).toBe(2);
    expect(dumpDatabase(reader.port)).toEqual(dumpDatabase(writer.port));

    const files = await readdir(join(bucketRoot, "apps/prod/org=acme/tenant=a/do/counter-1"), { recursive: true });
    expect(files).toContain("lock");
    expect(files.some((file) => file.endsWith(".parquet"))).toBe(true);
  });

  it("gives another tenant nothing to restore for the same object id", async () => {
    const other = await appInstance("b", "counter-1");
    expect(await other.persistence.restore()).toBeNull();
  });
});
