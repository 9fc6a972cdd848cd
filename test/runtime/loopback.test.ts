// Service bindings to a Worker's own entrypoints: what workerd's js-rpc-test and the
// workerd-surface fixture do not reach: configuration errors, and both sides of a flag.
import { describe, expect, it } from "vitest";
import { WorkerEntrypoint } from "../../src/runtime/index";
import { createWorker, WorkerConfigError } from "../../src/runtime/worker";

class Greeter extends WorkerEntrypoint<Record<string, unknown>> {
  greet(name: string): string {
    return `${String(this.ctx.props.greeting)}, ${name}`;
  }

  fail(): never {
    throw Object.assign(new RangeError("out of greetings"), { code: 7 });
  }
}

const mod = { default: { fetch: () => new Response("default") }, Greeter, notAnEntrypoint: 42 };

describe("service bindings to the Worker's own entrypoints", () => {
  it("bind a named entrypoint with its props, and the default export", async () => {
    const worker = await createWorker(mod, {
      durableObjects: {},
      services: { GREETER: { entrypoint: "Greeter", props: { greeting: "Hi" } }, SELF: {} },
    });
    const env = worker.env as { GREETER: { greet(name: string): Promise<string> }; SELF: { fetch(url: string): Promise<Response> } };
    expect(await env.GREETER.greet("Ada")).toBe("Hi, Ada");
    expect(await (await env.SELF.fetch("http://self/")).text()).toBe("default");
    await worker.dispose();
  });

  it.each(["Missing", "notAnEntrypoint"])("refuse an entrypoint the module does not export as one (%s)", async (entrypoint) => {
    const creating = createWorker(mod, { durableObjects: {}, services: { BROKEN: { entrypoint } } });
    await expect(creating).rejects.toBeInstanceOf(WorkerConfigError);
    await expect(creating).rejects.toMatchObject({ code: "WORKER_CONFIG_INVALID", message: expect.stringContaining(`"${entrypoint}"`) });
  });

  it.each([
    ["2026-04-20", [], undefined],
    ["2026-04-21", [], 7],
    ["2025-09-01", ["enhanced_error_serialization"], 7],
    ["2026-04-21", ["legacy_error_serialization"], undefined],
  ])("keep an error's own properties from %s with %j only under enhanced_error_serialization", async (compatibilityDate, compatibilityFlags, code) => {
    const worker = await createWorker(mod, { durableObjects: {}, services: { GREETER: { entrypoint: "Greeter" } }, compatibilityDate, compatibilityFlags });
    const error = await (worker.env as { GREETER: { fail(): Promise<never> } }).GREETER.fail().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RangeError);
    expect(error).toMatchObject({ message: "out of greetings", remote: true });
    expect((error as { code?: number }).code).toBe(code);
    await worker.dispose();
  });
});
