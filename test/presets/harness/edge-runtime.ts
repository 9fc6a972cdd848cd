import { readFileSync } from "node:fs";
import { build } from "esbuild";
import { EdgeRuntime, runServer } from "edge-runtime";
import { join } from "pathe";
import type { WorkerFetch } from "./behaviour";

/** Where the Build Output API puts the one function of the vercel presets. */
export const FUNCTION_DIR = "functions/index.func";

/**
 * edge-runtime evaluates scripts, not modules: re-bundle the function as a script whose
 * `./sql-wasm.wasm?module` import reads a module compiled beforehand, the way Vercel compiles
 * it at deploy time. Only this test glue is re-bundled; the function's own code (and the chunks
 * it imports) is unchanged. `platformModules` supplies, by specifier, modules the platform
 * provides and edge-runtime lacks (Vercel Edge's `node:buffer`, `node:events`, …): a file path each.
 */
export async function edgeScript(functionDir: string, platformModules: Record<string, string> = {}): Promise<string> {
  const result = await build({
    stdin: { contents: `import handler from "./index.mjs";\naddEventListener("fetch", (event) => event.respondWith(handler(event.request)));`, resolveDir: functionDir, loader: "js" },
    bundle: true,
    format: "iife",
    target: "es2022",
    write: false,
    logLevel: "silent",
    plugins: [
      {
        name: "precompiled-wasm",
        setup(b) {
          b.onResolve({ filter: /\.wasm\?module$/ }, (args) => ({ path: args.path, namespace: "precompiled-wasm" }));
          b.onLoad({ filter: /.*/, namespace: "precompiled-wasm" }, () => ({ contents: "export default globalThis.__precompiledSqlWasm;", loader: "js" }));
        },
      },
      {
        name: "platform-modules",
        setup(b) {
          b.onResolve({ filter: /^node:/ }, (args) => (platformModules[args.path] === undefined ? undefined : { path: platformModules[args.path] }));
        },
      },
    ],
  });
  return result.outputFiles[0]?.text ?? "";
}

// Vercel Edge, like workerd, refuses to compile wasm from bytes at run time; edge-runtime does not,
// so the test context refuses it the same way once the deploy-time module exists.
const REFUSE_COMPILING = `
  const refuse = () => { throw new WebAssembly.CompileError("Wasm code generation disallowed by embedder"); };
  const instantiate = WebAssembly.instantiate;
  WebAssembly.compile = refuse;
  WebAssembly.compileStreaming = refuse;
  WebAssembly.instantiateStreaming = refuse;
  WebAssembly.instantiate = (source, imports) => source instanceof WebAssembly.Module ? instantiate(source, imports) : refuse();
  WebAssembly.Module = new Proxy(WebAssembly.Module, { construct: refuse });
`;

// edge-runtime implements Request.json() in the host realm, so its objects fail the runtime's
// plain-object checks; a real edge isolate has one realm. Parse in the context's realm instead.
const ONE_REALM_JSON = `Request.prototype.json = async function () { return JSON.parse(await this.text()); };`;

// edge-runtime's fetch passes a Content-Length header set by the caller on to undici twice
// ("2, 2"), which undici refuses ("invalid content-length header"); the AWS SDK sets one on every
// PUT. Send such a request with its body buffered, so fetch sets the (same) length itself.
const OWN_CONTENT_LENGTH = `
  const send = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    if (!request.headers.has("content-length")) return send(request);
    const headers = new Headers(request.headers);
    headers.delete("content-length");
    const body = await request.arrayBuffer();
    return send(request.url, { method: request.method, headers, body, signal: request.signal, redirect: request.redirect });
  };
`;

// What the function logs with console.error, kept for the test to read.
const KEEP_ERRORS = `globalThis.__errors = []; console.error = (...args) => { globalThis.__errors.push(args.map(String).join(" ")); };`;

export interface EdgeInstance {
  url: string;
  fetch: WorkerFetch;
  /** What the function has written with console.error so far. */
  errors(): string[];
  close(): Promise<void>;
}

/**
 * A fresh EdgeRuntime as Vercel starts an isolate: `process.env` (Vercel Edge's way of passing
 * environment variables), the sql.js wasm compiled beforehand as `__precompiledSqlWasm`, and
 * compiling wasm from bytes refused from then on.
 */
export function edgeContext(wasmPath: string, env: Record<string, string> = {}): EdgeRuntime {
  const runtime = new EdgeRuntime();
  runtime.context.__wasmBytes = new Uint8Array(readFileSync(wasmPath));
  runtime.context.process = { env: { ...env } };
  runtime.evaluate("globalThis.__precompiledSqlWasm = new WebAssembly.Module(globalThis.__wasmBytes); delete globalThis.__wasmBytes;");
  runtime.evaluate(REFUSE_COMPILING);
  runtime.evaluate(ONE_REALM_JSON);
  runtime.evaluate(OWN_CONTENT_LENGTH);
  runtime.evaluate(KEEP_ERRORS);
  return runtime;
}

/** One isolate running the function (`script` from `edgeScript`), serving on 127.0.0.1. */
export async function startEdgeInstance(functionDir: string, script: string, env: Record<string, string>): Promise<EdgeInstance> {
  const runtime = edgeContext(join(functionDir, "sql-wasm.wasm"), env);
  runtime.evaluate(script);
  const server = await runServer({ runtime, port: 0, host: "127.0.0.1" });
  const url = server.url.replace(/\/$/, "");
  return {
    url,
    fetch: (path, init) => fetch(`${url}${path}`, init),
    errors: () => [...(runtime.evaluate("globalThis.__errors") as string[])],
    close: () => server.close(),
  };
}
