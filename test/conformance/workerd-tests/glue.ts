/**
 * The default export wrapped around a ported workerd test module, so that the same module runs
 * on workerd (miniflare) and on the shim: `GET /tests` lists its tests (exports with a
 * `test()` method, as workerd's test runner finds them) and `GET /run/<name>` runs one. A
 * module whose default export is a `WorkerEntrypoint` class keeps it for every other request.
 */
type TestModule = Readonly<Record<string, unknown>>;

// workerd runs its tests with V8's --expose-gc; they call gc() only to provoke use-after-free
// bugs in workerd's C++. Where it is missing (miniflare, the shim), it does nothing.
const global = globalThis as { gc?: () => void };
global.gc ??= () => {};

interface TestEntry {
  test(ctrl: unknown, env: unknown, ctx: unknown): unknown;
}

/** What running one test answers. */
export type TestOutcome = { passed: true } | { passed: false; error: string; stack?: string };

/** A test that has not settled by then fails (a shim bug must not hang the suite). */
const TEST_TIMEOUT_MS = 20_000;

export function testNames(mod: TestModule): string[] {
  return Object.keys(mod).filter((name) => typeof (mod[name] as Partial<TestEntry> | undefined)?.test === "function");
}

export function testRunner(mod: TestModule) {
  const answer = async (request: Request, env: unknown, ctx: unknown): Promise<Response> => {
    const path = new URL(request.url).pathname;
    if (path === "/tests") return Response.json(testNames(mod));
    const name = decodeURIComponent(path.replace(/^\/run\//, ""));
    const entry = mod[name] as TestEntry | undefined;
    if (!entry) return new Response(`no test named ${name}`, { status: 404 });
    return Response.json(await run(() => entry.test({}, env, ctx)));
  };
  const Default = mod.default as (new (...args: never[]) => { env: unknown; ctx: unknown; fetch(request: Request): Promise<Response> }) | undefined;
  if (typeof Default !== "function") return { fetch: answer };
  return class extends Default {
    override fetch(request: Request): Promise<Response> {
      return isTestPath(request) ? answer(request, this.env, this.ctx) : super.fetch(request);
    }
  };
}

const isTestPath = (request: Request) => /^\/(tests$|run\/)/.test(new URL(request.url).pathname);

/**
 * Node's `assert.rejects()` and `doesNotReject()` refuse a thenable that is a function, as
 * workerd's `RpcPromise` and `RpcProperty` are; workerd's `node:assert` takes them (its
 * `isValidThenable`). Where the tests get Node's assert (the shim), it is made to take them too.
 */
export function takeCallableThenables(assert: { rejects: AssertAsync; doesNotReject: AssertAsync }): void {
  for (const method of ["rejects", "doesNotReject"] as const) {
    const original = assert[method];
    assert[method] = (subject, ...rest) => {
      if (isCallableThenable(subject)) return original(Promise.resolve(subject), ...rest);
      if (typeof subject !== "function") return original(subject, ...rest);
      return original(() => {
        const result: unknown = (subject as () => unknown)();
        return isCallableThenable(result) ? Promise.resolve(result) : result;
      }, ...rest);
    };
  }
}

type AssertAsync = (subject: unknown, ...rest: unknown[]) => Promise<void>;

const isCallableThenable = (value: unknown) => typeof value === "function" && typeof (value as { then?: unknown }).then === "function";

async function run(test: () => unknown): Promise<TestOutcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish within ${TEST_TIMEOUT_MS} ms`)), TEST_TIMEOUT_MS);
  });
  try {
    await Promise.race([Promise.resolve().then(test), timeout]);
    return { passed: true };
  } catch (error) {
    const { name, message, stack } = error instanceof Error ? error : { name: typeof error, message: String(error), stack: undefined };
    return { passed: false, error: `${name}: ${message}`, ...(stack && { stack }) };
  } finally {
    clearTimeout(timer);
  }
}
