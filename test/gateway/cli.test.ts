import { spawn, type ChildProcess } from "node:child_process";
import { readFile, mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGatewayStore } from "../../src/runtime/storage/gateway";
import { startTestIssuer, tenantClaims, type TestIssuer } from "../auth/helpers/issuer";
import { tempDirs } from "../storage/temp-dir";

/** `dotdo gateway` as a real process: bucket from `DOTDO_STORAGE`, issuer from `dotdo config`. */
const ROOT = resolve(import.meta.dirname, "../..");
const newDir = tempDirs();
let idp: TestIssuer;
let child: ChildProcess;
let output = "";
let url: string;
let bucketRoot: string;

beforeAll(async () => {
  idp = await startTestIssuer();
  bucketRoot = await newDir();
  const configHome = await newDir();
  await mkdir(join(configHome, "dotdo"));
  await writeFile(join(configHome, "dotdo", "config.json"), JSON.stringify({ "auth.domain": idp.issuer }));
  const env: Record<string, string | undefined> = {
    ...process.env,
    XDG_CONFIG_HOME: configHome,
    DOTDO_STORAGE: `file:${bucketRoot}`,
    WORKOS_AUTH_DOMAIN: undefined,
    CONSOLA_LEVEL: "3",
  };
  child = spawn(process.execPath, [join(ROOT, "node_modules/jiti/lib/jiti-cli.mjs"), join(ROOT, "test/gateway/helpers/cli-entry.ts"), "gateway", "--port", "0", "--audience", idp.audience], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`dotdo gateway did not start:\n${output}`)), 60_000);
    child.stdout?.on("data", () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        done(match[1]);
      }
    });
    child.once("exit", (code) => fail(new Error(`dotdo gateway exited with ${code}:\n${output}`)));
  });
});
afterAll(async () => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  await idp?.close();
});

describe("dotdo gateway", () => {
  it("serves the bucket to a token holder, confined to its tenant, and stops on SIGTERM", async () => {
    const store = createGatewayStore({ url, token: await idp.sign(tenantClaims("a")) });
    await store.put("do/obj1/lock", new TextEncoder().encode("from the app"));
    expect(await readFile(join(bucketRoot, "apps/prod/org=acme/tenant=a/do/obj1/lock"), "utf8")).toBe("from the app");
    const forged = createGatewayStore({ url, token: (await idp.sign(tenantClaims("a"))).slice(0, -4) + "AAAA" });
    await expect(forged.get("do/obj1/lock")).rejects.toMatchObject({ code: "TOKEN_INVALID" });

    const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output).toContain(`Storage gateway for file://${bucketRoot}`);
  });
});
