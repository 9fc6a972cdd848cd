import { readdirSync, readFileSync } from "node:fs";
import { build } from "esbuild";
import { EdgeRuntime, runServer } from "edge-runtime";
import { join } from "pathe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { behaviourSuite } from "./harness/behaviour";
import { buildFixture, type BuiltOutput } from "./harness/outputs";

const FUNCTION_DIR = "functions/index.func";

let output: BuiltOutput;
let bundle: string;
let server: Awaited<ReturnType<typeof runServer>>;

/**
 * edge-runtime evaluates scripts, not modules: re-bundle the function as a script whose
 * `./sql-wasm.wasm?module` import reads a module compiled beforehand, the way Vercel compiles
 * it at deploy time. Only this test glue is re-bundled; the function's own code is unchanged.
 */
async function asScript(functionDir: string): Promise<string> {
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

beforeAll(async () => {
  output = await buildFixture("vercel-edge");
  const functionDir = join(output.copy, FUNCTION_DIR);
  bundle = readFileSync(join(functionDir, "index.mjs"), "utf8");
  const runtime = new EdgeRuntime();
  runtime.context.__wasmBytes = new Uint8Array(readFileSync(join(functionDir, "sql-wasm.wasm")));
  runtime.evaluate("globalThis.__precompiledSqlWasm = new WebAssembly.Module(globalThis.__wasmBytes); delete globalThis.__wasmBytes;");
  runtime.evaluate(REFUSE_COMPILING);
  runtime.evaluate(ONE_REALM_JSON);
  runtime.evaluate(await asScript(functionDir));
  server = await runServer({ runtime, port: 0, host: "127.0.0.1" });
});

afterAll(async () => {
  await server?.close();
  output?.remove();
});

describe("vercel-edge preset, run in edge-runtime", () => {
  it("writes the Build Output API v3 layout with an edge function", () => {
    expect(JSON.parse(output.read("config.json"))).toMatchObject({ version: 3 });
    expect(JSON.parse(output.read(`${FUNCTION_DIR}/.vc-config.json`))).toMatchObject({ runtime: "edge", entrypoint: "index.mjs" });
    expect(readdirSync(join(output.copy, FUNCTION_DIR)).sort()).toEqual([".vc-config.json", "index.mjs", "sql-wasm.wasm"]);
  });

  it("imports the wasm statically and never compiles wasm from bytes itself", () => {
    expect(bundle).toMatch(/^import \w+ from "\.\/sql-wasm\.wasm\?module";$/m);
    expect(bundle).not.toContain("WebAssembly.compile(");
    expect(bundle).not.toMatch(/readFile|node:fs/);
    expect(bundle).not.toMatch(/^import .* from "(?!\.\/sql-wasm\.wasm\?module)/m);
  });

  behaviourSuite("vercel-edge", () => (path, init) => fetch(`${server.url.replace(/\/$/, "")}${path}`, init));
});
