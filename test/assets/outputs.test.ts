import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { Miniflare } from "miniflare";
import { join, resolve } from "pathe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DENO_PERMISSIONS } from "../../src/presets/deno/templates/deno-json";
import { buildFixture, type BuiltOutput } from "../presets/harness/outputs";
import { startServer, type RunningServer } from "../presets/harness/process";
import { workerdOptions } from "../presets/harness/workerd";
import { answerOf, ASSETS_FIXTURE, PATHS, type Answer, type AssetRequest } from "./requests";

const BIN = resolve(import.meta.dirname, "../../node_modules/.bin");

/** The fixture's paths, plus what its run_worker_first rules, its binding and browser navigations decide. */
const REQUESTS: AssetRequest[] = [
  ...PATHS.map((path) => ({ path })),
  { path: "/api/hits" },
  { path: "/api/other" },
  { path: "/api/docs/" },
  { path: "/api/asset?path=/about" },
  { path: "/api/asset?path=/docs/nowhere" },
  { path: "/api/asset?path=/logo.png" },
  { path: "/missing", headers: { "sec-fetch-mode": "navigate" } },
  { path: "/docs/missing", headers: { "sec-fetch-mode": "navigate" } },
  { path: "/about", method: "POST" },
  { path: "/missing", method: "POST" },
  { path: "/style.css", method: "HEAD" },
];

interface GeneratedWrangler {
  assets: { directory: string; binding: string; not_found_handling: "404-page"; run_worker_first: string[] };
}

async function answers(send: (request: AssetRequest) => Promise<Answer>): Promise<Record<string, Answer>> {
  const all: Record<string, Answer> = {};
  for (const request of REQUESTS) all[`${request.method ?? "GET"} ${request.path}${request.headers ? " (navigate)" : ""}`] = await send(request);
  return all;
}

let cloudflare: BuiltOutput;
let workerd: Record<string, Answer>;

beforeAll(async () => {
  cloudflare = await buildFixture("cloudflare", ASSETS_FIXTURE);
  const wrangler = JSON.parse(cloudflare.read("wrangler.json")) as GeneratedWrangler;
  // The generated wrangler.json, handed to workerd as wrangler's dev server does (resolveAssetOptions).
  const options = workerdOptions(cloudflare);
  const mf = new Miniflare({
    ...options,
    assets: {
      ...options.assets!,
      binding: wrangler.assets.binding,
      routerConfig: {
        has_user_worker: true,
        static_routing: {
          user_worker: wrangler.assets.run_worker_first.filter((rule) => rule.startsWith("/")),
          asset_worker: wrangler.assets.run_worker_first.filter((rule) => rule.startsWith("!/")).map((rule) => rule.slice(1)),
        },
      },
      assetConfig: { not_found_handling: wrangler.assets.not_found_handling },
    },
  });
  try {
    workerd = await answers(async ({ path, ...init }) => answerOf(await mf.dispatchFetch(`http://assets.test${path}`, { ...init, redirect: "manual" })));
  } finally {
    await mf.dispose();
  }
}, 120_000);

afterAll(() => cloudflare?.remove());

describe("the cloudflare output", () => {
  it("copies the assets and names their directory relative to wrangler.json, which wrangler accepts", async () => {
    expect(JSON.parse(cloudflare.read("wrangler.json")).assets).toEqual({
      directory: "public",
      binding: "ASSETS",
      not_found_handling: "404-page",
      run_worker_first: ["/api/*", "!/api/docs/*"],
    });
    expect(readFileSync(join(cloudflare.copy, "public/logo.png"))).toEqual(readFileSync(join(ASSETS_FIXTURE, "public/logo.png")));
    const { stdout } = await promisify(execFile)(join(BIN, "wrangler"), ["deploy", "--dry-run", "--config", "wrangler.json", "--outdir", join(cloudflare.copy, "dry-run")], {
      cwd: cloudflare.copy,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1" },
      timeout: 60_000,
    });
    expect(stdout).toContain("env.ASSETS");
    expect(stdout).toContain("--dry-run: exiting now.");
  }, 90_000);

  it("is served by workerd as the test expects: assets, the Worker for /api/*, the binding, 404 pages", () => {
    const text = (answer: Answer | undefined) => Buffer.from(answer!.body, "base64").toString();
    expect(text(workerd["GET /"])).toContain("<h1>Home</h1>");
    expect(text(workerd["GET /api/other"])).toBe("worker: GET /api/other");
    expect(text(workerd["GET /api/hits"])).toBe('{"hits":1}');
    expect(text(workerd["GET /api/asset?path=/about"])).toContain("<h1>About</h1>");
    // With run_worker_first rules, a path no asset matches gets the nearest 404.html, not the Worker.
    expect(workerd["GET /docs/missing"]).toMatchObject({ status: 404 });
    expect(text(workerd["GET /docs/missing"])).toContain("Docs 404");
  });
});

const SERVERS = [
  { preset: "node", command: (entry: string) => ({ command: process.execPath, args: [entry] }) },
  { preset: "bun", command: (entry: string) => ({ command: join(BIN, "bun"), args: [entry] }) },
  { preset: "deno", command: (entry: string) => ({ command: join(BIN, "deno"), args: ["run", ...DENO_PERMISSIONS, entry] }) },
];

describe.each(SERVERS)("the $preset output", ({ preset, command }) => {
  let output: BuiltOutput;
  let server: RunningServer;

  beforeAll(async () => {
    output = await buildFixture(preset, ASSETS_FIXTURE);
    const { command: bin, args } = command(join("server", "index.mjs"));
    server = await startServer(bin, args, output.copy, { DOTDO_STORAGE: `file:${join(output.copy, "state")}` });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    output?.remove();
  });

  it("ships the assets next to the server and warns about nothing", () => {
    expect(output.build.files).toContain("public/docs/guide/index.html");
    expect(output.build.warnings).toEqual([]);
  });

  it("answers every request as workerd does: status, redirect, content type and bytes", async () => {
    const actual = await answers(async ({ path, ...init }) => answerOf(await fetch(`${server.url}${path}`, { ...init, redirect: "manual" })));
    expect(actual).toEqual(workerd);
  });
});
