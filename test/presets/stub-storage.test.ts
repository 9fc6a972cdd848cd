// Stubs in Durable Object storage (`allow_irrevocable_stub_storage`) and facets (`ctx.facets`),
// from one fixture (test/fixtures/stub-storage) built for cloudflare and node: the same steps run
// in workerd (miniflare, its Durable Object storage on disk) and in the node output (its state in
// a file store), each restarted three times; every answer must be workerd's. A stub kept in storage
// and a facet's data must come back after a restart. Built once more without the flag: what
// storing each kind of stub answers must be workerd's too.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { Miniflare } from "miniflare";
import { join, resolve } from "pathe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFixture, type BuiltOutput } from "./harness/outputs";
import { startServer } from "./harness/process";
import { SERVER_COMMANDS } from "./harness/server-commands";
import { workerdOptions } from "./harness/workerd";

const FIXTURE = resolve(import.meta.dirname, "../fixtures/stub-storage");
const FLAG = "allow_irrevocable_stub_storage";

/** The requests, in order; `restart` restarts the process (workerd, or the node output) in between. */
const STEPS = [
  "/attempts",
  "/store",
  "/use",
  "/write?facet=notes&text=one",
  "/write?facet=notes&text=two",
  "/read?facet=notes",
  "/read?facet=other",
  "/write-child?facet=notes&text=deep",
  "restart",
  "/use",
  "/read?facet=notes",
  "/read-child?facet=notes",
  "/abort?facet=notes",
  "/delete?facet=notes",
  "/read?facet=notes",
  "/read-child?facet=notes",
  "/write?facet=notes&text=three",
  "/write-child?facet=notes&text=again",
  "restart",
  "/read?facet=notes",
  // With no facet running (workerd, locally, leaves a running facet its data until it stops).
  "restart",
  "/delete-all",
  "/read?facet=notes",
  "/read-child?facet=notes",
] as const;

interface Runner {
  get(path: string): Promise<unknown>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const scratch: string[] = [];
const answers: Record<"workerd" | "node", unknown[]> = { workerd: [], node: [] };
/** The node output's store, file by file, after the steps. */
let storedFiles: string[] = [];
const withoutFlag: Record<"workerd" | "node", unknown> = { workerd: undefined, node: undefined };

/** The fixture, without `allow_irrevocable_stub_storage` when `flag` is false. */
function variant(flag: boolean): string {
  if (flag) return FIXTURE;
  const root = mkdtempSync(join(tmpdir(), "dotdo-stub-storage-"));
  scratch.push(root);
  cpSync(join(FIXTURE, "src"), join(root, "src"), { recursive: true });
  const wrangler = JSON.parse(readFileSync(join(FIXTURE, "wrangler.json"), "utf8")) as { compatibility_flags: string[] };
  writeFileSync(join(root, "wrangler.json"), JSON.stringify({ ...wrangler, compatibility_flags: wrangler.compatibility_flags.filter((name) => name !== FLAG) }));
  return root;
}

async function getJson(base: string, path: string): Promise<unknown> {
  const response = await fetch(`${base}${path}`);
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return JSON.parse(text) as unknown;
}

async function onWorkerd(output: BuiltOutput): Promise<Runner> {
  const persist = join(output.copy, "workerd-state");
  const start = async () => {
    const mf = new Miniflare({ ...workerdOptions(output), durableObjectsPersist: persist, host: "127.0.0.1", port: 0 });
    return { mf, url: (await mf.ready).toString().replace(/\/$/, "") };
  };
  let running = await start();
  return {
    get: (path) => getJson(running.url, path),
    async restart() {
      await running.mf.dispose();
      running = await start();
    },
    stop: () => running.mf.dispose(),
  };
}

async function onNode(output: BuiltOutput): Promise<Runner> {
  const { command, args } = SERVER_COMMANDS.node(join("server", "index.mjs"));
  const start = () => startServer(command, args, output.copy, { DOTDO_STORAGE: `file:${join(output.copy, "state")}` });
  let server = await start();
  return {
    get: (path) => getJson(server.url, path),
    async restart() {
      expect(await server.stop(), server.output()).toBe(0);
      server = await start();
    },
    async stop() {
      await server.stop();
    },
  };
}

async function run(runner: Runner, steps: readonly string[], into: unknown[]): Promise<void> {
  try {
    for (const step of steps) {
      if (step === "restart") await runner.restart();
      else into.push(await runner.get(step));
    }
  } finally {
    await runner.stop();
  }
}

beforeAll(async () => {
  for (const flag of [true, false]) {
    const root = variant(flag);
    const [cloudflare, node] = [await buildFixture("cloudflare", root), await buildFixture("node", root)];
    scratch.push(...[cloudflare, node].map((output) => join(output.copy, "..")));
    if (flag) {
      await run(await onWorkerd(cloudflare), STEPS, answers.workerd);
      await run(await onNode(node), STEPS, answers.node);
      storedFiles = readdirSync(join(node.copy, "state"), { recursive: true, encoding: "utf8" });
    } else {
      const onWorkerdAnswers: unknown[] = [];
      const onNodeAnswers: unknown[] = [];
      await run(await onWorkerd(cloudflare), ["/attempts"], onWorkerdAnswers);
      await run(await onNode(node), ["/attempts"], onNodeAnswers);
      [withoutFlag.workerd, withoutFlag.node] = [onWorkerdAnswers[0], onNodeAnswers[0]];
    }
  }
}, 180_000);

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe("stubs in Durable Object storage, and facets", () => {
  it("on workerd: stored stubs and a facet's data come back after a restart (what the comparison below stands on)", () => {
    const requests = STEPS.filter((step) => step !== "restart");
    const answersTo = (step: string) => answers.workerd.filter((_, i) => requests[i] === step);
    const greetings = ["Yo, Ann!", "Inner, Ann!", "Yo, Bo!", "Sync, Cy!"];
    const facet = (text: string | null, lines: string[]) => ({ text, lines, props: { owner: "keeper" }, parentsId: true });
    expect(answersTo("/attempts")).toMatchObject([{ specialised: "ok", specialisedClass: "ok", objectStub: ["other", 64], namespaceFacet: [null, 5] }]);
    expect(answersTo("/use")).toEqual([greetings, greetings]);
    expect(answersTo("/read?facet=notes")).toEqual([facet("two", ["one", "two"]), facet("two", ["one", "two"]), facet(null, []), facet("three", ["three"]), facet(null, [])]);
    expect(answersTo("/read?facet=other")).toEqual([facet(null, [])]);
    expect(answersTo("/abort?facet=notes")).toEqual([["Error: stopped", facet("two", ["one", "two"])]]);
    // A facet's own facet: kept across the restart, deleted with it, and with the root's deleteAll().
    const child = (text: string | null, lines: string[]) => ({ ...facet(text, lines), props: { owner: "notebook" } });
    expect(answersTo("/read-child?facet=notes")).toEqual([child("deep", ["deep"]), child(null, []), child(null, [])]);
  });

  it("the node output answers every step as workerd does, across the restarts", () => {
    expect(answers.node).toEqual(answers.workerd);
  });

  it("keeps a facet's state in the store within its parent's folder", () => {
    expect(storedFiles.some((file) => /(^|\/)do\/[0-9a-f]{64}\/facets\/notes\/log\//.test(file)), storedFiles.join("\n")).toBe(true);
  });

  it(`without ${FLAG}, storing a stub fails on the node output as on workerd`, () => {
    expect(withoutFlag.workerd).toMatchObject({ specialised: "DataCloneError: ServiceStub cannot be serialized in this context." });
    expect(withoutFlag.node).toEqual(withoutFlag.workerd);
  });
});
