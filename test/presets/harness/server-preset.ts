import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "pathe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGatewayHandler } from "../../../src/gateway";
import { serveGateway } from "../../../src/gateway/node";
import { createTokenVerifier } from "../../../src/runtime/auth";
import { createFileStore } from "../../../src/runtime/storage/file";
import { startTestIssuer, tenantClaims } from "../../auth/helpers/issuer";
import { sentBySdk, startS3 } from "../../helpers/s3";
import { behaviourSuite } from "./behaviour";
import { buildFixture, type BuiltOutput } from "./outputs";
import { startServer, type RunningServer } from "./process";

export interface ServerPreset {
  preset: string;
  /** How the runtime starts the bundle, run in the copied output directory. */
  command: (serverEntry: string) => { command: string; args: string[] };
  /**
   * The preset whose server this one ships unchanged (node for fly, render, …): the checks of
   * the runtime itself (stores, kill -9) run there, not again for every packaging of it.
   */
  inherits?: string;
  /** Checks of this runtime alone, registered in the suite's describe on its built output (one build per preset). */
  extend?: (output: () => BuiltOutput) => void;
}

/**
 * Builds `preset`, starts its server from a copy of the output directory (no node_modules
 * anywhere above it), runs the behaviour suite against it, and checks the server's lifecycle.
 */
export function describeServerPreset({ preset, command, inherits, extend }: ServerPreset): void {
  describe(`${preset} preset, run as a process from a copy of its output`, () => {
    let output: BuiltOutput;
    let server: RunningServer;
    const start = () => {
      const { command: bin, args } = command(join("server", "index.mjs"));
      return startServer(bin, args, output.copy, { DOTDO_STORAGE: `file:${join(output.copy, "state")}` });
    };

    beforeAll(async () => {
      output = await buildFixture(preset);
      server = await start();
    });

    afterAll(async () => {
      await server?.stop();
      output?.remove();
    });

    it("ships the bundle, its chunks and the sql.js wasm side by side", () => {
      expect(readdirSync(join(output.copy, "server")).sort()).toEqual(["chunks", "index.mjs", "sql-wasm.wasm"]);
      expect(output.manifest).toMatchObject({ preset, entry: "server/index.mjs" });
    });

    it("answers the health endpoint", async () => {
      const response = await fetch(`${server.url}/__dotdo/health`);
      expect(response.status).toBe(200);
    });

    it("names its runtime and the kind of store at /__dotdo/info, without the store's path", async () => {
      const info = await fetch(`${server.url}/__dotdo/info`).then((r) => r.json());
      expect(info).toEqual({ runtime: output.manifest.runtime, version: expect.stringMatching(/^\d+\.\d+\.\d+/), storage: "file" });
    });

    behaviourSuite(preset, () => (path, init) => fetch(`${server.url}${path}`, init));

    it("serves Prometheus metrics: the Worker's requests and the live objects per binding", async () => {
      const response = await fetch(`${server.url}/__dotdo/metrics`);
      expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await response.text();
      expect(Number(/^dotdo_requests_total (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
      expect(Number(/^dotdo_objects_live\{binding="COUNTER"\} (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
    });

    if (!inherits) {
      /** On `env`: adds 5 to a counter, stops (exit 0), starts again and adds 1, which must make 6. */
      const keepsAcrossRestart = async (env: Record<string, string>, counter: string) => {
        const { command: bin, args } = command(join("server", "index.mjs"));
        let running = await startServer(bin, args, output.copy, env);
        try {
          const post = (path: string) => fetch(`${running.url}${path}`, { method: "POST" }).then((r) => r.json());
          expect(await post(`/counter/${counter}?by=5`), running.output()).toEqual({ value: 5 });
          expect(await running.stop(), running.output()).toBe(0);
          running = await startServer(bin, args, output.copy, env);
          expect(await post(`/counter/${counter}?by=1`), running.output()).toEqual({ value: 6 });
        } finally {
          await running.stop();
        }
      };

      it("keeps its objects in S3 (s3rver behind the conditional-write proxy) across a restart, its object writes going out direct", async () => {
        const s3 = await startS3();
        try {
          await keepsAcrossRestart({ DOTDO_STORAGE: `s3://${s3.bucket}/${preset}`, R2_ENDPOINT: s3.endpoint, R2_ACCESS_KEY_ID: s3.accessKeyId, R2_SECRET_ACCESS_KEY: s3.secretAccessKey }, "on-s3");
          const puts = s3.requests.filter((request) => request.method === "PUT" && request.path.includes(`/${preset}/do/`));
          expect(puts.length).toBeGreaterThan(0);
          expect(puts.filter(sentBySdk)).toEqual([]);
        } finally {
          await s3.close();
        }
      });

      it("keeps its objects through the storage gateway holding only a JWT, across a restart", async () => {
        const [idp, bucket] = [await startTestIssuer(), mkdtempSync(join(tmpdir(), "dotdo-gateway-"))];
        const verifier = createTokenVerifier({ issuer: idp.issuer, audience: idp.audience });
        const gateway = await serveGateway(createGatewayHandler({ store: await createFileStore(bucket), verifier }));
        try {
          await keepsAcrossRestart({ JWT_TOKEN: await idp.sign(tenantClaims(preset)), DOTDO_GATEWAY_URL: gateway.url }, "via-gateway");
        } finally {
          await Promise.all([gateway.close(), idp.close()]);
          rmSync(bucket, { recursive: true, force: true });
        }
      });

      it("loses no acknowledged write to kill -9 under 8 concurrent writers (the output gate and the log on this runtime)", async () => {
        const { command: bin, args } = command(join("server", "index.mjs"));
        const env = { DOTDO_STORAGE: `file:${join(output.copy, "crash-state")}` };
        let crashing = await startServer(bin, args, output.copy, env);
        let highest = 0; // the highest count an acknowledged increment answered with
        let sent = 0;
        let killed = false;
        const writers = Array.from({ length: 8 }, async () => {
          while (!killed) {
            sent++;
            // Acknowledged: the whole answer arrived (a kill may cut one off after its headers).
            const answer = await fetch(`${crashing.url}/counter/crash?by=1`, { method: "POST" })
              .then((r) => r.json() as Promise<{ value: number }>)
              .catch(() => null);
            if (answer) highest = Math.max(highest, answer.value);
          }
        });
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        process.kill(-crashing.child.pid!, "SIGKILL");
        killed = true;
        await Promise.all(writers);
        await crashing.stop();
        crashing = await startServer(bin, args, output.copy, env);
        try {
          const { value } = (await fetch(`${crashing.url}/counter/crash`).then((r) => r.json())) as { value: number };
          expect(highest).toBeGreaterThan(0);
          expect(value, crashing.output()).toBeGreaterThanOrEqual(highest);
          expect(value).toBeLessThanOrEqual(sent);
        } finally {
          await crashing.stop();
        }
      });
    }

    if (!inherits) {
      it("holds a request body to DOTDO_MAX_BODY_BYTES: 413 BODY_TOO_LARGE to a larger one, before the Worker wakes", async () => {
        const { command: bin, args } = command(join("server", "index.mjs"));
        const limited = await startServer(bin, args, output.copy, { DOTDO_STORAGE: `file:${join(output.copy, "limited")}`, DOTDO_MAX_BODY_BYTES: "1024" });
        try {
          const refused = await fetch(`${limited.url}/notes/limited/too-big`, { method: "PUT", body: JSON.stringify("x".repeat(2048)) });
          expect(refused.status, limited.output()).toBe(413);
          expect(await refused.json()).toMatchObject({ error: { code: "BODY_TOO_LARGE" } });
          expect(await (await fetch(`${limited.url}/notes/limited`)).json()).toEqual([]);
        } finally {
          await limited.stop();
        }
      });
    }

    if (!inherits) {
      // workerd takes a request head of up to 128 KiB, Cloudflare's limit (node's 128 KiB is compared
      // with it in test/runtime/incoming-http.test.ts); Node and Bun took 16 KiB unless told, Deno
      // takes about 64 KiB (docs/compat.md).
      it("takes a request head of 48 KiB (a large cookie, a long URL), which node:http and Bun refused by default", async () => {
        const head = "x".repeat(48 * 1024);
        expect((await fetch(`${server.url}/vars`, { headers: { cookie: `a=${head}` } })).status, server.output()).toBe(200);
        expect((await fetch(`${server.url}/vars?q=${head}`)).status).toBe(200);
      });
    }

    it("checkpoints on SIGTERM, exits 0, and a restarted server restores its objects from DOTDO_STORAGE", async () => {
      const post = (path: string) => fetch(`${server.url}${path}`, { method: "POST" }).then((r) => r.json());
      expect(await post("/counter/restart-proof?by=42")).toEqual({ value: 42 });
      expect(await server.stop(), server.output()).toBe(0);
      server = await start();
      expect(await post("/counter/restart-proof?by=1")).toEqual({ value: 43 });
      const notes = (await fetch(`${server.url}/notes/shelf`).then((r) => r.json())) as { key: string; dateKept: boolean }[];
      expect(notes.map((note) => [note.key, note.dateKept])).toEqual([["a-first", true], ["b-second", true], ["c-third", true]]);
      expect(await server.stop(), server.output()).toBe(0);
    });

    extend?.(() => output);
  });
}
