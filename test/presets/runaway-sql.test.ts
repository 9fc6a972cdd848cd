// A runaway query fails its own object alone: test/fixtures/runaway-sql sets wrangler's
// `limits.cpu_ms` to 500; one object runs a recursive CTE that never ends, another one that
// returns 2 GB of rows, in the node, bun and deno outputs. workerd bounds such a query by the
// request's CPU limit and the isolate's memory, and resets the object; the shim interrupts the
// statement once it has run that long, stops reading rows at 128 MiB, and resets the object
// too. Not compared with workerd: miniflare's workerd enforces neither limit, so there the first
// query would never return.
import { join, resolve } from "pathe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFixture, type BuiltOutput } from "./harness/outputs";
import { startServer, type RunningServer } from "./harness/process";
import { SERVER_COMMANDS, SERVER_PRESET_NAMES } from "./harness/server-commands";

const FIXTURE = resolve(import.meta.dirname, "../fixtures/runaway-sql");

const outputs: BuiltOutput[] = [];
afterAll(() => {
  for (const output of outputs) output.remove();
});

async function get(server: RunningServer, path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${server.url}${path}`);
  return { status: response.status, body: await response.json() };
}

describe.each(SERVER_PRESET_NAMES)("a runaway query in the %s output", (preset) => {
  let server: RunningServer;
  beforeAll(async () => {
    const output = await buildFixture(preset, FIXTURE);
    outputs.push(output);
    const { command, args } = SERVER_COMMANDS[preset](join("server", "index.mjs"));
    server = await startServer(command, args, output.copy, { DOTDO_STORAGE: `file:${join(output.copy, "state")}` });
    return () => server.stop();
  }, 120_000);

  it("is interrupted at limits.cpu_ms, resets its object alone, and loses only that object's unsaved write", async () => {
    expect(await get(server, "/add/hostile")).toEqual({ status: 200, body: { count: 1 } });
    expect(await get(server, "/add/bystander")).toEqual({ status: 200, body: { count: 1 } });
    const runaway = await get(server, "/runaway/hostile");
    expect(runaway, server.output()).toEqual({
      status: 500,
      body: {
        error:
          "SQL statement ran past the CPU time limit of 500 ms (limits.cpu_ms in the wrangler config) and was interrupted; the Durable Object was reset",
      },
    });
    expect(await get(server, "/add/bystander")).toEqual({ status: 200, body: { count: 2 } });
    // The row runaway() added before its query was not committed: the reset dropped it.
    expect(await get(server, "/add/hostile")).toEqual({ status: 200, body: { count: 2 } });
    expect(await get(server, "/runaway/hostile")).toMatchObject({ status: 500 });
    expect(await get(server, "/add/hostile")).toEqual({ status: 200, body: { count: 3 } });
  }, 60_000);

  it("stops a query whose rows come to more than an object's memory (2 GB here), and resets its object alone", async () => {
    expect(await get(server, "/add/hog")).toEqual({ status: 200, body: { count: 1 } });
    expect(await get(server, "/hog/hog"), server.output()).toEqual({
      status: 500,
      body: {
        error:
          "SQL statement's rows came to more than 128 MiB, a Durable Object's memory limit, so it was stopped; the Durable Object was reset",
      },
    });
    expect(await get(server, "/add/bystander")).toMatchObject({ status: 200 });
    expect(await get(server, "/add/hog")).toEqual({ status: 200, body: { count: 2 } });
  }, 60_000);
});
