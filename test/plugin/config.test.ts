import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "pathe";
import { afterAll, describe, expect, it } from "vitest";
import {
  assertRunnableOffCloudflare,
  ConfigNotFoundError,
  InvalidConfigError,
  loadProject,
  UnsupportedConfigError,
} from "../../src/plugin/config";
import { workerOptions } from "../../src/plugin/entry";

const fixtureApp = resolve(import.meta.dirname, "../fixtures/app");
const scratch = mkdtempSync(join(tmpdir(), "dotdo-config-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let projects = 0;
/** A throwaway project directory holding `files` (and an entry module unless given). */
function project(files: Record<string, string>): string {
  const dir = join(scratch, `p${projects++}`);
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "src/index.js"), "export default { fetch: () => new Response('ok') };");
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => expect.unreachable("expected the config to be rejected"),
    (error: Error) => error,
  );
}

describe("reading the wrangler config", () => {
  it("reads the fixture's wrangler.jsonc with comments and trailing commas", async () => {
    const app = await loadProject({ root: fixtureApp });
    expect(app).toMatchObject({
      name: "fixture-app",
      main: join(fixtureApp, "src/index.js"),
      configFile: join(fixtureApp, "wrangler.jsonc"),
      compatibilityDate: "2025-09-01",
      durableObjects: [
        { name: "COUNTER", className: "Counter" },
        { name: "NOTES", className: "Notes" },
        { name: "REMINDER", className: "Reminder" },
      ],
      migrations: [{ tag: "v1", new_sqlite_classes: ["Counter", "Notes"] }],
      vars: { GREETING: "hello from the fixture", LIMITS: { maxNotes: 3 } },
      r2Buckets: [],
    });
  });

  it("reads wrangler.json", async () => {
    const root = project({
      "wrangler.json": JSON.stringify({ main: "src/index.js", r2_buckets: [{ binding: "BUCKET", bucket_name: "b" }] }),
    });
    const app = await loadProject({ root });
    expect(app.r2Buckets).toEqual([{ binding: "BUCKET", bucketName: "b" }]);
    expect(app.name).toBe(root.split("/").at(-1));
  });

  it("reads wrangler.toml, including bare TOML dates", async () => {
    const root = project({
      "wrangler.toml": [
        'name = "toml-app"',
        'main = "src/index.js"',
        "compatibility_date = 2025-01-15",
        "[[durable_objects.bindings]]",
        'name = "ROOM"',
        'class_name = "Room"',
        "[[migrations]]",
        'tag = "v1"',
        'new_sqlite_classes = ["Room"]',
        "[vars]",
        'MODE = "test"',
      ].join("\n"),
    });
    const app = await loadProject({ root });
    expect(app).toMatchObject({
      name: "toml-app",
      compatibilityDate: "2025-01-15",
      durableObjects: [{ name: "ROOM", className: "Room" }],
      migrations: [{ tag: "v1", new_sqlite_classes: ["Room"] }],
      vars: { MODE: "test" },
    });
  });

  it("reads cron triggers, the CPU limit, define, alias, and the bindings only Cloudflare provides", async () => {
    const root = project({
      "wrangler.json": JSON.stringify({
        main: "src/index.js",
        triggers: { crons: ["*/5 * * * *"] },
        limits: { cpu_ms: 50, subrequests: 10 },
        define: { __BUILD__: '"nightly"' },
        alias: { "my-lib": "./src/lib.js", other: "some-package" },
        kv_namespaces: [{ binding: "CACHE", id: "abc" }],
        queues: { producers: [{ binding: "JOBS", queue: "jobs" }] },
        send_email: [{ name: "MAILER" }],
        ai: { binding: "AI" },
      }),
    });
    const app = await loadProject({ root });
    expect(app).toMatchObject({
      crons: ["*/5 * * * *"],
      cpuLimitMs: 50,
      define: { __BUILD__: '"nightly"' },
      alias: { "my-lib": join(root, "src/lib.js"), other: "some-package" },
      cloudflareOnlyBindings: [
        { field: "kv_namespaces[0]", name: "CACHE" },
        { field: "send_email[0]", name: "MAILER" },
        { field: "queues.producers[0]", name: "JOBS" },
        { field: "ai", name: "AI" },
      ],
    });
    expect(app.wrangler).toMatchObject({ kv_namespaces: [{ binding: "CACHE", id: "abc" }] });
  });

  it("binds services naming the Worker itself to its entrypoints, and leaves others to Cloudflare", async () => {
    const services = [
      { binding: "GREETER", service: "shop", entrypoint: "Greeter", props: { greeting: "Yo" } },
      { binding: "SELF", service: "shop" },
      { binding: "AUTH", service: "auth-worker" },
    ];
    const root = project({ "wrangler.json": JSON.stringify({ name: "shop", main: "src/index.js", services }) });
    const app = await loadProject({ root });
    expect(app.loopbackServices).toEqual([services[0], services[1]]);
    expect(app.cloudflareOnlyBindings).toEqual([{ field: "services[2]", name: "AUTH" }]);
    expect(workerOptions(app).services).toEqual({ GREETER: { entrypoint: "Greeter", props: { greeting: "Yo" } }, SELF: {} });
    const bad = project({ "wrangler.json": JSON.stringify({ name: "shop", main: "src/index.js", services: [{ binding: "X", service: "shop", props: [] }] }) });
    expect((await failure(loadProject({ root: bad }))).message).toContain("services[0].props");
  });

  it("reads module rules, find_additional_modules and base_dir (default: the folder of main)", async () => {
    const rules = [{ type: "Text", globs: ["**/*.md"], fallthrough: true }, { type: "Data", globs: ["**/*.dat"] }];
    const root = project({ "wrangler.json": JSON.stringify({ main: "src/index.js", rules, find_additional_modules: true }) });
    expect(await loadProject({ root })).toMatchObject({ rules, findAdditionalModules: true, baseDir: join(root, "src") });
    const other = project({ "wrangler.json": JSON.stringify({ main: "src/index.js", base_dir: "." }) });
    expect(await loadProject({ root: other })).toMatchObject({ rules: [], findAdditionalModules: false, baseDir: other });
  });

  it("reads assets with wrangler's defaults, the directory resolved against the config file", async () => {
    const root = project({ "wrangler.json": JSON.stringify({ main: "src/index.js", assets: { directory: "./src" } }) });
    expect((await loadProject({ root })).assets).toEqual({ directory: join(root, "src"), htmlHandling: "auto-trailing-slash", notFoundHandling: "none", runWorkerFirst: false });
    const full = { directory: "src", binding: "ASSETS", html_handling: "drop-trailing-slash", not_found_handling: "404-page", run_worker_first: ["/api/*", "!/api/docs/*"] };
    const other = project({ "wrangler.json": JSON.stringify({ main: "src/index.js", assets: full }) });
    const app = await loadProject({ root: other });
    expect(app.assets).toEqual({ directory: join(other, "src"), binding: "ASSETS", htmlHandling: "drop-trailing-slash", notFoundHandling: "404-page", runWorkerFirst: ["/api/*", "!/api/docs/*"] });
    // Served off Cloudflare now: the binding is no longer reported as Cloudflare-only.
    expect(app.cloudflareOnlyBindings).toEqual([]);
  });

  it("prefers wrangler.jsonc over wrangler.json over wrangler.toml, as wrangler does", async () => {
    const root = project({
      "wrangler.toml": 'name = "from-toml"\nmain = "src/index.js"',
      "wrangler.json": '{ "name": "from-json", "main": "src/index.js" }',
    });
    expect((await loadProject({ root })).name).toBe("from-json");
    expect((await loadProject({ root, configFile: "wrangler.toml" })).name).toBe("from-toml");
  });
});

describe("bad or missing config", () => {
  it("names the files it looked for when there is no config", async () => {
    const error = await failure(loadProject({ root: project({}) }));
    expect(error).toBeInstanceOf(ConfigNotFoundError);
    expect(error).toMatchObject({ code: "CONFIG_NOT_FOUND" });
    expect(error.message).toContain("wrangler.jsonc, wrangler.json, wrangler.toml");
  });

  it("gives the line and column of a JSONC syntax error", async () => {
    const error = await failure(loadProject({ root: project({ "wrangler.jsonc": '{\n  "main": "src/index.js"\n  "name": "x"\n}' }) }));
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect(error.message).toMatch(/^wrangler\.jsonc: is not valid JSONC: CommaExpected at line 3, column 3/);
  });

  it("gives the line of a TOML syntax error", async () => {
    const error = await failure(loadProject({ root: project({ "wrangler.toml": 'main = "src/index.js"\nname = = 1' }) }));
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect(error.message).toMatch(/^wrangler\.toml: is not valid TOML: .* at line 2/);
  });

  it.each([
    [{ binding: "ASSETS" }, "assets.directory", /must be a non-empty string/],
    [{ directory: "./public" }, "assets.directory", /points to \.\/public, which is not a directory/],
    [{ directory: "src/index.js" }, "assets.directory", /which is not a directory/],
    [{ directory: "src", html_handling: "auto" }, "assets.html_handling", /must be one of "auto-trailing-slash", .*got "auto"/],
    [{ directory: "src", not_found_handling: "spa" }, "assets.not_found_handling", /got "spa"/],
    [{ directory: "src", binding: "MY-ASSETS" }, "assets.binding", /JavaScript identifier/],
    [{ directory: "src", run_worker_first: "yes" }, "assets.run_worker_first", /true, false or a list/],
    [{ directory: "src", run_worker_first: ["api/*"] }, "assets.run_worker_first[0]", /must start with "\/" or "!\/"/],
    [{ directory: "src", run_worker_first: ["!/static/*"] }, "assets.run_worker_first", /at least one pattern that is not negative/],
  ])("rejects assets %j, naming %s", async (assets, field, message) => {
    const error = await failure(loadProject({ root: project({ "wrangler.json": JSON.stringify({ main: "src/index.js", assets }) }) }));
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect(error).toMatchObject({ code: "CONFIG_INVALID", file: "wrangler.json", field });
    expect(error.message).toMatch(message);
  });

  it("names the missing main field", async () => {
    const error = await failure(loadProject({ root: project({ "wrangler.json": '{ "name": "x" }' }) }));
    expect(error).toMatchObject({ code: "CONFIG_INVALID", file: "wrangler.json", field: "main" });
  });

  it("says when main points to a file that does not exist", async () => {
    const error = await failure(loadProject({ root: project({ "wrangler.json": '{ "main": "src/nope.ts" }' }) }));
    expect(error).toMatchObject({ field: "main" });
    expect(error.message).toBe('wrangler.json: "main" points to src/nope.ts, which does not exist');
  });

  it.each([
    ['{ "main": "src/index.js", "durable_objects": { "bindings": [{ "name": "A" }] } }', "durable_objects.bindings[0].class_name"],
    ['{ "main": "src/index.js", "durable_objects": { "bindings": [{ "name": "A-B", "class_name": "A" }] } }', "durable_objects.bindings[0].name"],
    ['{ "main": "src/index.js", "durable_objects": { "bindings": {} } }', "durable_objects.bindings"],
    ['{ "main": "src/index.js", "compatibility_date": "next tuesday" }', "compatibility_date"],
    ['{ "main": "src/index.js", "migrations": [{ "new_sqlite_classes": ["A"] }] }', "migrations[0].tag"],
    ['{ "main": "src/index.js", "migrations": [{ "tag": "v1", "new_sqlite_classes": "A" }] }', "migrations[0].new_sqlite_classes"],
    ['{ "main": "src/index.js", "r2_buckets": [{ "bucket_name": "b" }] }', "r2_buckets[0].binding"],
    ['{ "main": 42 }', "main"],
    ['{ "main": "src/index.js", "define": { "X": 1 } }', "define.X"],
    ['{ "main": "src/index.js", "triggers": { "crons": "* * * * *" } }', "triggers.crons"],
    ['{ "main": "src/index.js", "kv_namespaces": [{ "id": "abc" }] }', "kv_namespaces[0].binding"],
    ['{ "main": "src/index.js", "limits": { "cpu_ms": 0 } }', "limits.cpu_ms"],
    ['{ "main": "src/index.js", "limits": { "cpu_ms": 1.5 } }', "limits.cpu_ms"],
    ['{ "main": "src/index.js", "limits": { "cpu_ms": "30s" } }', "limits.cpu_ms"],
    ['{ "main": "src/index.js", "rules": [{ "type": "PythonModule", "globs": ["**/*.py"] }] }', "rules[0].type"],
    ['{ "main": "src/index.js", "rules": [{ "type": "Text", "globs": [] }] }', "rules[0].globs"],
    ['{ "main": "src/index.js", "rules": [{ "type": "Text", "globs": ["*.md"], "fallthrough": "yes" }] }', "rules[0].fallthrough"],
    ['{ "main": "src/index.js", "find_additional_modules": 1 }', "find_additional_modules"],
    ['{ "main": "src/index.js", "compatibility_flags": ["nodejs_compat", "rpc", "no_rpc"] }', "compatibility_flags"],
    ["[]", undefined],
  ])("rejects %s naming the field", async (text, field) => {
    const error = await failure(loadProject({ root: project({ "wrangler.json": text }) }));
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect(error).toMatchObject({ file: "wrangler.json", field });
  });

  it("refuses cross-script Durable Object bindings off Cloudflare, naming the field", async () => {
    const root = project({
      "wrangler.json": JSON.stringify({
        main: "src/index.js",
        durable_objects: { bindings: [{ name: "LOCAL", class_name: "Local" }, { name: "OTHER", class_name: "Remote", script_name: "other-worker" }] },
      }),
    });
    const app = await loadProject({ root });
    expect(app.durableObjects[1]).toEqual({ name: "OTHER", className: "Remote", scriptName: "other-worker" });
    const error = (() => {
      try {
        assertRunnableOffCloudflare(app);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(UnsupportedConfigError);
    expect(error).toMatchObject({ code: "CONFIG_UNSUPPORTED", field: "durable_objects.bindings[1].script_name" });
    expect((error as Error).message).toContain('"other-worker"');
  });
});

describe("dotdo.config.ts", () => {
  it("overrides the wrangler config", async () => {
    const root = project({
      "wrangler.json": JSON.stringify({ main: "src/index.js", compatibility_date: "2024-01-01", vars: { A: "wrangler", B: "wrangler" } }),
      "dotdo.config.ts": 'export default { main: "src/other.ts", compatibilityDate: "2025-02-02", vars: { B: "dotdo" }, evictAfterMs: 1000 } satisfies Record<string, unknown>;',
      "src/other.ts": "export default {};",
    });
    const app = await loadProject({ root });
    expect(app).toMatchObject({
      main: join(root, "src/other.ts"),
      compatibilityDate: "2025-02-02",
      vars: { A: "wrangler", B: "dotdo" },
      evictAfterMs: 1000,
      dotdoConfigFile: join(root, "dotdo.config.ts"),
    });
  });

  it("names dotdo.config.ts and the field when a value is wrong", async () => {
    const root = project({
      "wrangler.json": '{ "main": "src/index.js" }',
      "dotdo.config.ts": "export default { evictAfterMs: 'soon' };",
    });
    const error = await failure(loadProject({ root }));
    expect(error).toMatchObject({ code: "CONFIG_INVALID", file: "dotdo.config.ts", field: "evictAfterMs" });
  });

  it("reports a dotdo.config.ts that does not load", async () => {
    const root = project({ "wrangler.json": '{ "main": "src/index.js" }', "dotdo.config.ts": "export default {" });
    const error = await failure(loadProject({ root }));
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect(error.message).toMatch(/^dotdo\.config: could not be loaded/);
  });
});
