import { createNitro } from "nitropack";
import { describe, expect, it } from "vitest";
import { resolveBindings } from "../../src/nitro/options";
import { NITRO_APP } from "./harness";

const counter = { className: "Counter", module: "./server/objects/counter.ts" };

describe("dotdo/nitro config", () => {
  it("resolves each binding's module against the Nitro root", () => {
    expect(resolveBindings({ durableObjects: { COUNTER: counter, ALSO: counter } }, NITRO_APP)).toEqual([
      { binding: "COUNTER", className: "Counter", module: `${NITRO_APP}/server/objects/counter.ts` },
      { binding: "ALSO", className: "Counter", module: `${NITRO_APP}/server/objects/counter.ts` },
    ]);
  });

  it.each([
    [undefined, '"dotdo" must be an object'],
    [{ durableObjects: {} }, '"dotdo.durableObjects" must name at least one binding'],
    [{ durableObjects: { "NOT-A-NAME": counter } }, '"dotdo.durableObjects.NOT-A-NAME" is not a valid binding name'],
    [{ durableObjects: { COUNTER: "Counter" } }, '"dotdo.durableObjects.COUNTER" must be { className, module }'],
    [{ durableObjects: { COUNTER: { ...counter, className: "" } } }, '"dotdo.durableObjects.COUNTER.className" must be the name of an exported class'],
    [{ durableObjects: { COUNTER: { className: "Counter" } } }, '"dotdo.durableObjects.COUNTER.module" must be the path'],
    [{ durableObjects: { COUNTER: { ...counter, module: "./server/objects/missing.ts" } } }, "missing.ts, which does not exist"],
    [{ durableObjects: { A: counter, B: { className: "Counter", module: "./nitro.config.ts" } } }, 'class "Counter" is already taken from'],
  ])("refuses %j with CONFIG_INVALID naming the field", (options, message) => {
    expect(() => resolveBindings(options, NITRO_APP)).toThrow(expect.objectContaining({ code: "CONFIG_INVALID", message: expect.stringContaining(message) }));
  });

  it("stops a Nitro build for a preset it has no runtime for, naming the supported ones", async () => {
    await expect(createNitro({ rootDir: NITRO_APP, preset: "netlify", dev: false, logLevel: 0 })).rejects.toMatchObject({
      code: "NITRO_PRESET_UNSUPPORTED",
      message: expect.stringMatching(/"netlify".*node-server.*bun.*deno-server.*vercel-edge/),
    });
  });
});
