import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { build } from "esbuild";
import { join } from "pathe";
import { afterAll, describe, expect, it } from "vitest";
import { dotdoEsbuild } from "../../src/plugin/esbuild";
import { UnsupportedImportError } from "../../src/plugin/errors";

const scratch = mkdtempSync(join(tmpdir(), "dotdo-esbuild-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let projects = 0;
function project(source: string): string {
  const root = join(scratch, `p${projects++}`);
  mkdirSync(join(root, "src"), { recursive: true });
  writeFileSync(join(root, "wrangler.json"), JSON.stringify({ main: "src/index.js", durable_objects: { bindings: [{ name: "ROOM", class_name: "Room" }] } }));
  writeFileSync(join(root, "src/index.js"), source);
  return root;
}

const WORKER = `import { DurableObject } from "cloudflare:workers";
export class Room extends DurableObject {}
export default { fetch: () => new Response("ok") };`;

/** A user's own esbuild script: only the entry, the output directory and the plugin. */
async function esbuild(root: string, preset: string): Promise<string> {
  const outdir = join(root, "out");
  await build({ absWorkingDir: root, entryPoints: ["virtual:dotdo/entry"], outdir, logLevel: "silent", plugins: [dotdoEsbuild({ preset, root })] });
  return outdir;
}

describe("the esbuild plugin", () => {
  it("off Cloudflare, bundles dotdo's runtime in place of cloudflare:workers and writes the wasm beside the bundle", async () => {
    const outdir = await esbuild(project(WORKER), "bun");
    expect(readdirSync(outdir).sort()).toEqual(["entry.js", "sql-wasm.wasm"]);
    const bundle = readFileSync(join(outdir, "entry.js"), "utf8");
    // No import of it is left (workerd's own error messages, which the runtime copies, still name it).
    expect(bundle).not.toMatch(/(from|import)\s*\(?\s*["']cloudflare:workers["']/);
    expect(bundle).toContain("Bun.serve(");
    expect(bundle).toMatch(/readFile\(new URL\("\.\/sql-wasm\.wasm", import\.meta\.url\)\)/);
  });

  it("for Cloudflare, leaves every cloudflare: module to workerd and writes no wasm", async () => {
    const outdir = await esbuild(project(`import { connect } from "cloudflare:sockets";\n${WORKER}\nexport const open = connect;`), "cloudflare");
    expect(readdirSync(outdir)).toEqual(["entry.js"]);
    const bundle = readFileSync(join(outdir, "entry.js"), "utf8");
    expect(bundle).toMatch(/from "cloudflare:sockets"/);
    expect(bundle).toMatch(/from "cloudflare:workers"/);
  });

  it("off Cloudflare, resolves workerd's other cloudflare: modules to dotdo's", async () => {
    const outdir = await esbuild(project(`import { connect } from "cloudflare:sockets";\nimport { EmailMessage } from "cloudflare:email";\n${WORKER}\nexport const open = [connect, EmailMessage];`), "deno");
    const bundle = readFileSync(join(outdir, "entry.js"), "utf8");
    expect(bundle).not.toMatch(/(from|import)\s*\(?\s*["']cloudflare:/);
    expect(bundle).toMatch(/from "node:net"/);
  });

  it("off Cloudflare, refuses a cloudflare: module workerd lacks with a typed error naming the importer", async () => {
    const root = project(`import { nothing } from "cloudflare:no-such-module";\n${WORKER}\nexport const open = nothing;`);
    const failure = await esbuild(root, "deno").then(
      () => undefined,
      (error: { errors?: { detail?: unknown }[] }) => error.errors?.[0]?.detail,
    );
    expect(failure).toBeInstanceOf(UnsupportedImportError);
    expect(failure).toMatchObject({ code: "UNSUPPORTED_IMPORT", specifier: "cloudflare:no-such-module", importer: join(root, "src/index.js") });
  });
});
