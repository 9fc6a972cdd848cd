/**
 * Entry bundled for Bun and Deno: runs the conformance suite on the shim in that runtime
 * and prints the `PlatformRun` as JSON. The sql.js wasm path is fixed at bundle time
 * (`SQL_WASM_PATH`) and read with the runtime's own `node:fs`.
 */
import { readFile } from "node:fs/promises";
import { runSuite } from "./platform-suite";

declare const SQL_WASM_PATH: string;

console.log(JSON.stringify(await runSuite(await readFile(SQL_WASM_PATH))));
