/**
 * What workerd cannot show: the shim's ids must be the same in every process and after
 * every restart (the conformance suite only compares their format and determinism within
 * one run, because workerd derives them from a per-namespace secret).
 */
import { describe, expect, it } from "vitest";
import { DurableObjectNamespace } from "../../src/runtime/index";
import { createWorker, type Worker } from "../../src/runtime/worker";
import * as conformanceWorker from "./worker/index";
import { DURABLE_OBJECTS } from "./worker/env";

const options = {
  durableObjects: Object.fromEntries(Object.entries(DURABLE_OBJECTS).map(([binding, className]) => [binding, { className }])),
};

describe("shim ids across restarts", () => {
  it("idFromName gives the same id in two separate workers", async () => {
    const first = await createWorker(conformanceWorker, options);
    const second = await createWorker(conformanceWorker, options);
    try {
      const ids = [first, second].map((w) => namespace(w, "RPC").idFromName("alpha").toString());
      expect(ids[0]).toMatch(/^[0-9a-f]{64}$/);
      expect(ids[1]).toBe(ids[0]);
      const otherNamespace = namespace(first, "SQL").idFromName("alpha").toString();
      expect(otherNamespace).not.toBe(ids[0]);
    } finally {
      await Promise.all([first.dispose(), second.dispose()]);
    }
  });

  it("an id string from one worker is accepted by another", async () => {
    const first = await createWorker(conformanceWorker, options);
    const second = await createWorker(conformanceWorker, options);
    try {
      const unique = namespace(first, "RPC").newUniqueId().toString();
      const parsed = namespace(second, "RPC").idFromString(unique).toString();
      expect(parsed).toBe(unique);
    } finally {
      await Promise.all([first.dispose(), second.dispose()]);
    }
  });
});

function namespace(worker: Worker, binding: keyof typeof DURABLE_OBJECTS): DurableObjectNamespace {
  const value = worker.env[binding];
  if (!(value instanceof DurableObjectNamespace)) throw new Error(`env.${binding} is not a Durable Object namespace`);
  return value;
}
