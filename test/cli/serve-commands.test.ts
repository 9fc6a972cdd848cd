import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "pathe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProject } from "../../src/presets/build/index";
import { startServer } from "../presets/harness/process";

// These commands run until stopped, so they are started as the real `dotdo` bin (built dist/).
const repo = resolve(import.meta.dirname, "../..");
const bin = join(repo, "bin/dotdo.mjs");
const scratch = mkdtempSync(join(tmpdir(), "dotdo-serve-commands-"));
const project = join(scratch, "app");

beforeAll(() => {
  cpSync(join(repo, "test/fixtures/app"), project, { recursive: true });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("dotdo preview", () => {
  it("runs the last build with its runtime, passing SIGTERM on so the server exits cleanly", async () => {
    await buildProject({ root: project, preset: "node" });
    const server = await startServer(process.execPath, [bin, "preview"], project);
    expect(await (await fetch(`${server.url}/vars`)).json()).toEqual({ greeting: "hello from the fixture", limits: { maxNotes: 3 } });
    expect(await server.stop(), server.output()).toBe(0);
    expect(server.output()).toContain("node: node .output/server/index.mjs");
  });
});

describe("dotdo dev", () => {
  it("serves the Worker and restarts it with the change when a source file changes", async () => {
    const server = await startServer(process.execPath, [bin, "dev"], project);
    try {
      expect((await fetch(`${server.url}/no-such-route`)).status).toBe(404);
      const entry = join(project, "src/index.js");
      writeFileSync(entry, readFileSync(entry, "utf8").replace('new Response("not found", { status: 404 })', 'new Response("changed", { status: 418 })'));
      let status = 404;
      for (const deadline = Date.now() + 20_000; status !== 418 && Date.now() < deadline; ) {
        await new Promise((done) => setTimeout(done, 100));
        status = await fetch(`${server.url}/no-such-route`).then((r) => r.status, () => 0);
      }
      expect(status, server.output()).toBe(418);
    } finally {
      expect(await server.stop(), server.output()).toBe(0);
    }
  });
});

describe("dotdo dev with static assets", () => {
  it("serves the project's own assets directory, an edited file fresh", async () => {
    const assetsProject = join(scratch, "assets");
    cpSync(join(repo, "test/fixtures/assets"), assetsProject, { recursive: true });
    const server = await startServer(process.execPath, [bin, "dev"], assetsProject);
    try {
      expect(await (await fetch(`${server.url}/about`)).text()).toContain("<h1>About</h1>");
      writeFileSync(join(assetsProject, "public/about.html"), "<h1>Edited</h1>");
      expect(await (await fetch(`${server.url}/about`)).text()).toBe("<h1>Edited</h1>");
      expect(await (await fetch(`${server.url}/api/other`)).text()).toBe("worker: GET /api/other");
    } finally {
      expect(await server.stop(), server.output()).toBe(0);
    }
  });
});

describe("dotdo dev with a custom build", () => {
  it("runs build.command at start and again when a file under build.watch_dir changes", async () => {
    const root = join(scratch, "custom-build");
    const copy = `${JSON.stringify(process.execPath)} -e "require('fs').copyFileSync('client/note.txt', 'public/note.txt')"`;
    for (const dir of ["src", "client", "public"]) mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, "wrangler.json"), JSON.stringify({ main: "src/index.js", assets: { directory: "public" }, build: { command: copy, watch_dir: "client" } }));
    writeFileSync(join(root, "src/index.js"), "export default { fetch: () => new Response('worker') };");
    writeFileSync(join(root, "client/note.txt"), "first");
    const server = await startServer(process.execPath, [bin, "dev"], root);
    try {
      expect(await (await fetch(`${server.url}/note.txt`)).text()).toBe("first");
      writeFileSync(join(root, "client/note.txt"), "second");
      let text = "first";
      for (const deadline = Date.now() + 20_000; text !== "second" && Date.now() < deadline; ) {
        await new Promise((done) => setTimeout(done, 100));
        text = await (await fetch(`${server.url}/note.txt`)).text();
      }
      expect(text, server.output()).toBe("second");
    } finally {
      expect(await server.stop(), server.output()).toBe(0);
    }
  });
});
