import { rpcError, type Scenario } from "./helpers";

/** blockConcurrencyWhile and the interleaving of calls. */
export const concurrencyScenarios: Record<string, Scenario> = {
  "blockConcurrencyWhile in the constructor": async (env) => {
    const stub = env.CONCURRENCY.getByName("constructor");
    return stub.note("first call");
  },
  "calls interleave while a method awaits": async (env) => {
    const stub = env.CONCURRENCY.getByName("interleave");
    await stub.history();
    const [arrived, log] = await Promise.all([stub.waitForNote(5_000), stub.note("during wait")]);
    return { arrived, log, final: await stub.history() };
  },
  "calls interleave while a method awaits another object": async (env) => {
    const stub = env.CONCURRENCY.getByName("through peer");
    await Promise.all([stub.history(), env.CONCURRENCY.getByName("the peer").history()]);
    const [arrived, log] = await Promise.all([
      stub.waitThroughPeer("the peer", 5_000),
      stub.noteThroughPeer("the peer", "during peer wait"),
    ]);
    return { arrived, log, final: await stub.history() };
  },
  "blockConcurrencyWhile in a method holds other calls": async (env) => {
    const stub = env.CONCURRENCY.getByName("block");
    await stub.history();
    const [arrived, log] = await Promise.all([stub.blockForNote(300), stub.note("after block")]);
    return { arrived, log, final: await stub.history() };
  },
  "blockConcurrencyWhile result and rejection": async (env) => {
    const stub = env.CONCURRENCY.getByName("result");
    const value = await stub.blockReturns();
    const before = await stub.note("before throw");
    const thrown = await rpcError(() => stub.blockThrows());
    // workerd resets an object whose block callback throws: the next call meets a new instance.
    const sameStubAfter = await rpcError(() => stub.note("same stub after throw"));
    const newStubAfter = await rpcError(() => env.CONCURRENCY.getByName("result").note("new stub after throw"));
    return { value, before, thrown, sameStubAfter, newStubAfter };
  },
};
