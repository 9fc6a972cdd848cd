import { readdirSync } from "node:fs";
import { Miniflare } from "miniflare";
import { join } from "pathe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { behaviourSuite, type WorkerFetch } from "./harness/behaviour";
import { buildFixture, type BuiltOutput } from "./harness/outputs";

interface GeneratedWrangler {
  main: string;
  compatibility_date: string;
  no_bundle: boolean;
  durable_objects: { bindings: { name: string; class_name: string }[] };
  migrations: { tag: string; new_sqlite_classes?: string[] }[];
  vars: Record<string, unknown>;
  r2_buckets: { binding: string; bucket_name: string }[];
}

let output: BuiltOutput;
let wrangler: GeneratedWrangler;
let mf: Miniflare;

beforeAll(async () => {
  output = await buildFixture("cloudflare");
  wrangler = JSON.parse(output.read("wrangler.json")) as GeneratedWrangler;
  const sqliteClasses = new Set(wrangler.migrations.flatMap((step) => step.new_sqlite_classes ?? []));
  // The generated wrangler.json, read the way wrangler would hand it to workerd.
  mf = new Miniflare({
    modules: true,
    scriptPath: join(output.copy, wrangler.main),
    modulesRoot: output.copy,
    compatibilityDate: wrangler.compatibility_date,
    bindings: wrangler.vars as Record<string, string>,
    durableObjects: Object.fromEntries(
      wrangler.durable_objects.bindings.map((b) => [b.name, { className: b.class_name, useSQLite: sqliteClasses.has(b.class_name) }]),
    ),
    r2Buckets: wrangler.r2_buckets.map((b) => b.binding),
  });
  await mf.ready;
});

afterAll(async () => {
  await mf?.dispose();
  output?.remove();
});

// miniflare has its own undici Request/Response types: cross over by value.
const fetchWorker = (): WorkerFetch => async (path, init) => {
  const response = await mf.dispatchFetch(`http://fixture.test${path}`, {
    method: init?.method ?? "GET",
    headers: Object.fromEntries(new Headers(init?.headers)),
    body: init?.body as string | undefined,
    redirect: init?.redirect ?? "follow",
  });
  return new Response(await response.arrayBuffer(), { status: response.status, headers: Object.fromEntries(response.headers) });
};

describe("cloudflare preset, run in workerd through miniflare", () => {
  it("writes a wrangler.json with every DO binding, the user's migrations kept and one added for new classes", () => {
    expect(wrangler.durable_objects.bindings).toEqual([
      { name: "COUNTER", class_name: "Counter" },
      { name: "NOTES", class_name: "Notes" },
      { name: "REMINDER", class_name: "Reminder" },
    ]);
    expect(wrangler.migrations).toEqual([
      { tag: "v1", new_sqlite_classes: ["Counter", "Notes"] },
      { tag: "dotdo-v1", new_sqlite_classes: ["Reminder"] },
    ]);
    // Chunks split off by dynamic imports are attached by the ESModule rule.
    expect(wrangler).toMatchObject({ main: "server/index.mjs", compatibility_date: "2025-09-01", no_bundle: true, find_additional_modules: true, rules: [{ type: "ESModule", globs: ["**/*.mjs"] }] });
    expect(wrangler.r2_buckets).toContainEqual({ binding: "DOTDO_ICEBERG", bucket_name: "fixture-app-iceberg" });
  });

  it("bundles no sql.js and no wasm: workerd has SQLite", () => {
    expect(readdirSync(join(output.copy, "server"))).toEqual(["index.mjs"]);
    const bundle = output.read("server/index.mjs");
    expect(bundle).not.toMatch(/sql\.js|initSqlJs|WebAssembly/);
    expect(bundle).toMatch(/from "cloudflare:workers"/);
  });

  it("records the build in dotdo.json", () => {
    expect(output.manifest).toMatchObject({ preset: "cloudflare", runtime: "cloudflare", entry: "server/index.mjs", compatibilityDate: "2025-09-01" });
    expect(output.manifest.commands.deploy).toMatch(/^npx wrangler deploy --config .*wrangler\.json$/);
  });

  behaviourSuite("cloudflare", fetchWorker);
});
