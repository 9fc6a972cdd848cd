import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "pathe";
import { afterAll, describe, expect, it } from "vitest";
import { presetNames } from "../../src/presets/registry";
import { recordCli } from "./harness";

const fixtureApp = resolve(import.meta.dirname, "../fixtures/app");
const scratch = mkdtempSync(join(tmpdir(), "dotdo-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const dotdo = recordCli();

function project(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name);
  mkdirSync(join(dir, "src"), { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

describe("dotdo presets", () => {
  it("lists every preset on one line each, with what it is for", async () => {
    const { output, exitCode } = await dotdo("presets");
    expect(exitCode).toBe(0);
    const listed = output.split("\n").map((line) => line.split(/\s+/)[0]);
    expect(listed).toEqual(presetNames());
    expect(presetNames()).toEqual(expect.arrayContaining(["cloudflare", "node", "vercel-edge", "vercel", "bun", "deno", "docker", "k8s", "fly", "render", "railway"]));
    expect(output).toMatch(/^k8s +docker plus a Helm chart/m);
  });
});

describe("dotdo build", () => {
  it("refuses an unknown preset and lists the valid ones", async () => {
    const { output, exitCode } = await dotdo("build", "--preset=lambda", "--root", fixtureApp, "--outDir", join(scratch, "never"));
    expect(exitCode).toBe(1);
    expect(output).toContain(`error: Unknown preset "lambda". Valid presets: ${presetNames().join(", ")} [UNKNOWN_PRESET]`);
    expect(existsSync(join(scratch, "never"))).toBe(false);
  });

  it("asks for a preset when neither the flag nor dotdo.config.ts gives one", async () => {
    const { output, exitCode } = await dotdo("build", "--root", fixtureApp);
    expect(exitCode).toBe(1);
    expect(output).toMatch(/No preset given: pass --preset=<name> \(one of cloudflare, node, /);
  });

  it("builds, writes dotdo.json and prints the next step", async () => {
    const outDir = join(scratch, "cf-out");
    const { output, exitCode } = await dotdo("build", "--preset", "cloudflare", "--root", fixtureApp, "--outDir", outDir);
    expect(exitCode).toBe(0);
    const manifest = JSON.parse(readFileSync(join(outDir, "dotdo.json"), "utf8")) as Record<string, unknown>;
    expect(manifest).toEqual({
      preset: "cloudflare",
      runtime: "cloudflare",
      dotdo: JSON.parse(readFileSync(resolve(import.meta.dirname, "../../package.json"), "utf8")).version,
      compatibilityDate: "2025-09-01",
      entry: "server/index.mjs",
      commands: { preview: `npx wrangler dev --config ${outDir}/wrangler.json`, deploy: `npx wrangler deploy --config ${outDir}/wrangler.json` },
    });
    expect(output).toContain("success: Built fixture-app for cloudflare");
    expect(output).toContain(`info: Deploy:  npx wrangler deploy --config ${outDir}/wrangler.json`);
  });

  it("rebuilds over its own earlier output", async () => {
    const outDir = join(scratch, "cf-out");
    writeFileSync(join(outDir, "stale.txt"), "from an older build");
    expect((await dotdo("build", "--preset=cloudflare", "--root", fixtureApp, "--outDir", outDir)).exitCode).toBe(0);
    expect(existsSync(join(outDir, "stale.txt"))).toBe(false);
  });

  it("keeps the previous build when a new one fails", async () => {
    const root = project("failing-rebuild", {
      "wrangler.json": JSON.stringify({ main: "src/index.js" }),
      "src/index.js": "export default { fetch: () => new Response('first') };",
    });
    expect((await dotdo("build", "--preset=cloudflare", "--root", root)).exitCode).toBe(0);
    writeFileSync(join(root, "src/index.js"), "export default { fetch: () => new Response('second' };");
    const { output, exitCode } = await dotdo("build", "--preset=cloudflare", "--root", root);
    expect(exitCode).toBe(1);
    expect(output).toMatch(/Bundling .*src\/index\.js for cloudflare failed:\n  src\/index\.js:1:\d+: Expected "\)" but found "}" \[BUILD_FAILED\]/);
    expect(readFileSync(join(root, ".output/server/index.mjs"), "utf8")).toContain("first");
    expect(readdirSync(root)).not.toContainEqual(expect.stringMatching(/staging/));
  });

  it("never overwrites a directory that is not a dotdo build", async () => {
    const outDir = join(scratch, "precious");
    mkdirSync(outDir);
    writeFileSync(join(outDir, "keep.txt"), "user data");
    const { output, exitCode } = await dotdo("build", "--preset=cloudflare", "--root", fixtureApp, "--outDir", outDir);
    expect(exitCode).toBe(1);
    expect(output).toContain("[OUTPUT_DIR_NOT_EMPTY]");
    expect(readFileSync(join(outDir, "keep.txt"), "utf8")).toBe("user data");
  });

  it("refuses an output directory that would hold the project itself", async () => {
    const { output, exitCode } = await dotdo("build", "--preset=cloudflare", "--root", fixtureApp, "--outDir", ".");
    expect(exitCode).toBe(1);
    expect(output).toContain("would contain the project itself");
  });

  it("names a bound class that the entry does not export", async () => {
    const root = project("missing-class", {
      "wrangler.json": JSON.stringify({ main: "src/index.js", durable_objects: { bindings: [{ name: "ROOM", class_name: "Room" }] } }),
      "src/index.js": "export default { fetch: () => new Response('ok') };",
    });
    const { output, exitCode } = await dotdo("build", "--preset=cloudflare", "--root", root, "--outDir", join(root, ".output"));
    expect(exitCode).toBe(1);
    expect(output).toContain("src/index.js does not export class Room, which the wrangler config binds as ROOM [BUILD_FAILED]");
  });

  it("refuses a cross-script binding off Cloudflare, naming the field", async () => {
    const root = project("cross-script", {
      "wrangler.json": JSON.stringify({ main: "src/index.js", durable_objects: { bindings: [{ name: "ROOM", class_name: "Room", script_name: "rooms" }] } }),
      "src/index.js": "export default { fetch: () => new Response('ok') };",
    });
    const { output, exitCode } = await dotdo("build", "--preset=node", "--root", root);
    expect(exitCode).toBe(1);
    expect(output).toContain('wrangler.json: "durable_objects.bindings[0].script_name" binds ROOM to class Room in another Worker');
    expect(output).toContain("[CONFIG_UNSUPPORTED]");
    expect(existsSync(join(root, ".output"))).toBe(false);
  });

  it("bundles a TypeScript entry", async () => {
    const root = project("typescript", {
      "wrangler.json": JSON.stringify({ main: "src/index.ts", durable_objects: { bindings: [{ name: "ROOM", class_name: "Room" }] } }),
      "src/index.ts": [
        'import { DurableObject } from "cloudflare:workers";',
        "interface Env { ROOM: unknown }",
        "export class Room extends DurableObject<Env> { private readonly label: string = 'typed'; }",
        "export default { fetch: (_request: Request, _env: Env): Response => new Response('ok') } satisfies Record<string, unknown>;",
      ].join("\n"),
    });
    expect((await dotdo("build", "--preset=cloudflare", "--root", root)).exitCode).toBe(0);
    const bundle = readFileSync(join(root, ".output/server/index.mjs"), "utf8");
    expect(bundle).toMatch(/label = "typed"/);
    expect(bundle).not.toMatch(/interface Env|satisfies/);
  });

  it("takes the preset and output directory from dotdo.config.ts", async () => {
    const root = project("configured", {
      "wrangler.json": JSON.stringify({ main: "src/index.js" }),
      "dotdo.config.ts": 'export default { preset: "cloudflare", outDir: "dist-cf" };',
      "src/index.js": "export default { fetch: () => new Response('ok') };",
    });
    expect((await dotdo("build", "--root", root)).exitCode).toBe(0);
    expect(JSON.parse(readFileSync(join(root, "dist-cf/dotdo.json"), "utf8"))).toMatchObject({ preset: "cloudflare" });
  });
});

describe("dotdo build runs the project's build.command first", () => {
  const node = JSON.stringify(process.execPath);

  it("runs it in build.cwd before looking for main, and bundles what it wrote; its output keeps off --json's stdout", async () => {
    const root = project("custom-build", {
      "wrangler.json": JSON.stringify({ main: "out/index.js", build: { command: `${node} gen.mjs`, cwd: "src" } }),
    });
    writeFileSync(join(root, "src/gen.mjs"), 'import { mkdirSync, writeFileSync } from "node:fs"; mkdirSync("../out"); writeFileSync("../out/index.js", "export default { fetch: () => new Response(\'generated in src\') };"); console.log("generated");');
    const { output, exitCode } = await dotdo("build", "--preset=node", "--root", root, "--json");
    expect(exitCode, output).toBe(0);
    expect(JSON.parse(output)).toMatchObject({ preset: "node", warnings: [] });
    expect(readFileSync(join(root, ".output/server/index.mjs"), "utf8")).toContain("generated in src");
  });

  it("stops with BUILD_COMMAND_FAILED, its exit code and its last output when it fails, and keeps no output", async () => {
    const root = project("custom-build-fails", {
      "wrangler.json": JSON.stringify({ main: "src/index.js", build: { command: `${node} -e "console.error('no tsc here'); process.exit(3)"` } }),
      "src/index.js": "export default { fetch: () => new Response('ok') };",
    });
    const { output, exitCode } = await dotdo("build", "--preset=node", "--root", root);
    expect(exitCode).toBe(1);
    expect(output).toContain(`(run in ${root}) exited with code 3; nothing was bundled. Its last output:\nno tsc here`);
    expect(output).toContain("[BUILD_COMMAND_FAILED]");
    expect(existsSync(join(root, ".output"))).toBe(false);
  });

  it("refuses a build.cwd that is not a directory and a field wrangler does not know", async () => {
    const files = { "src/index.js": "export default { fetch: () => new Response('ok') };" };
    const badCwd = project("custom-build-cwd", { ...files, "wrangler.json": JSON.stringify({ main: "src/index.js", build: { command: "true", cwd: "nowhere" } }) });
    expect((await dotdo("build", "--preset=node", "--root", badCwd)).output).toContain('wrangler.json: "build.cwd" points to nowhere, which is not a directory [CONFIG_INVALID]');
    const badKey = project("custom-build-key", { ...files, "wrangler.json": JSON.stringify({ main: "src/index.js", build: { command: "true", watch: "src" } }) });
    expect((await dotdo("build", "--preset=node", "--root", badKey)).output).toContain('wrangler.json: "build.watch" is not a field wrangler knows (command, cwd, watch_dir) [CONFIG_INVALID]');
  });
});

describe("dotdo preview", () => {
  it("says how to build first when there is no build", async () => {
    const root = project("unbuilt", { "wrangler.json": "{}" });
    const { output, exitCode } = await dotdo("preview", "--root", root);
    expect(exitCode).toBe(1);
    expect(output).toMatch(/No build found \(looked for .output\/dotdo\.json, .vercel\/output\/dotdo\.json in .*\); run dotdo build --preset=<name> first/);
  });
});

describe("the rest of the wrangler config", () => {
  const files = {
    "wrangler.jsonc": JSON.stringify({
      name: "full-config",
      main: "src/index.js",
      rules: [{ type: "Text", globs: ["**/*.txt"] }],
      define: { __BUILD__: '"nightly-7"' },
      alias: { "greeting-lib": "./src/greeting.js" },
      triggers: { crons: ["0 * * * *"] },
      kv_namespaces: [{ binding: "CACHE", id: "abc123" }],
      routes: [{ pattern: "example.com/*", zone_name: "example.com" }],
    }),
    "src/greeting.js": "export const greeting = 'aliased';",
    "src/index.js": "import { greeting } from 'greeting-lib';\nexport default { fetch: () => new Response(`${greeting} ${__BUILD__}`) };",
  };

  it("keeps what wrangler needs on Cloudflare and applies define and alias in the bundle", async () => {
    const root = project("full-config-cf", files);
    expect((await dotdo("build", "--preset=cloudflare", "--root", root)).exitCode).toBe(0);
    const wrangler = JSON.parse(readFileSync(join(root, ".output/wrangler.json"), "utf8")) as Record<string, unknown>;
    expect(wrangler).toMatchObject({
      kv_namespaces: [{ binding: "CACHE", id: "abc123" }],
      triggers: { crons: ["0 * * * *"] },
      routes: [{ pattern: "example.com/*", zone_name: "example.com" }],
      main: "server/index.mjs",
    });
    // The user's module rules were applied in the bundle; only the one for dotdo's chunks is left.
    expect(wrangler.rules).toEqual([{ type: "ESModule", globs: ["**/*.mjs"] }]);
    expect(wrangler).not.toHaveProperty("define");
    expect(wrangler).not.toHaveProperty("alias");
    const bundle = readFileSync(join(root, ".output/server/index.mjs"), "utf8");
    expect(bundle).toContain('"aliased"');
    expect(bundle).toContain('"nightly-7"');
  });

  it("warns off Cloudflare about bindings only Cloudflare provides, and about crons where nothing runs them", async () => {
    const root = project("full-config-node", files);
    const { output, exitCode } = await dotdo("build", "--preset=node", "--root", root);
    expect(exitCode).toBe(0);
    expect(output).toContain('warn: wrangler.jsonc: "kv_namespaces[0]" binds CACHE, which only Cloudflare provides; env.CACHE is undefined on node');
    // A server runs its cron triggers; a function is only run when called.
    expect(output).not.toContain("triggers.crons");
    const edge = await dotdo("build", "--preset=vercel-edge", "--root", root);
    expect(edge.output).toContain('warn: wrangler.jsonc: "triggers.crons" does not run on vercel-edge');
  });

  it("refuses a cron expression Cloudflare would not accept, naming it", async () => {
    const root = project("bad-cron", { ...files, "wrangler.jsonc": JSON.stringify({ ...JSON.parse(files["wrangler.jsonc"]!), triggers: { crons: ["0 * * *"] } }) });
    const { output, exitCode } = await dotdo("build", "--preset=node", "--root", root);
    expect(exitCode).toBe(1);
    expect(output).toMatch(/cron "0 \* \* \*" must have five fields.*CRON_INVALID/s);
  });
});
