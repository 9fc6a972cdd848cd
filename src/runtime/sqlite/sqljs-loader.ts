import initSqlJs from "sql.js";
import type { SqlJsStatic } from "sql.js";
import { UnsupportedEngineError } from "./errors";

/** Where the sql.js wasm comes from: a precompiled module (workerd, Vercel Edge) or its bytes. */
export type SqlWasmSource = WebAssembly.Module | ArrayBuffer | Uint8Array;

/** The raw C functions sql.js exports that its JavaScript wrapper does not expose. */
export interface SqlJsModule extends SqlJsStatic {
  _sqlite3_bind_double(stmt: number, index: number, value: number): number;
  _sqlite3_bind_blob(stmt: number, index: number, ptr: number, bytes: number, destructor: number): number;
  _sqlite3_sql(stmt: number): number;
  _sqlite3_errmsg(db: number): number;
  _sqlite3_update_hook(db: number, callback: number, context: number): number;
  _sqlite3_backup_init(to: number, toName: number, from: number, fromName: number): number;
  _sqlite3_backup_step(backup: number, pages: number): number;
  _sqlite3_backup_finish(backup: number): number;
  _free(ptr: number): void;
  stringToNewUTF8(text: string): number;
  addFunction(fn: (...args: never[]) => void, signature: string): number;
  removeFunction(pointer: number): void;
  UTF8ToString(ptr: number): string;
  /** The wasm instance's memory (SQLite's heap), which sql.js does not expose. */
  memory: WasmMemory;
}

/** The slice of `WebAssembly.Memory` used here (the project's lib settings do not type it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

let loading: Promise<SqlJsModule> | undefined;

/**
 * Compiles sql.js once per process; later calls share the same module (one compiled wasm:
 * each instance of it costs ~16 MB). With no source, sql.js finds its own wasm (Node reads
 * it from its package folder).
 */
export function loadSqlJs(source?: SqlWasmSource): Promise<SqlJsModule> {
  loading ??= instantiate(source).catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function instantiate(source: SqlWasmSource | undefined): Promise<SqlJsModule> {
  // sql.js reads `self.location.href` while starting outside Node; workerd has no location.
  const global = globalThis as { location?: unknown };
  const addedLocation = global.location === undefined && !isNode();
  if (addedLocation) global.location = { href: "https://dotdo.invalid/" };
  const wasm = (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly;
  const instantiate = wasm.instantiate;
  const instances: WasmInstance[] = [];
  // sql.js keeps its wasm instance to itself; every way it starts goes through here.
  wasm.instantiate = async (...args) => {
    const result = await instantiate.apply(wasm, args);
    instances.push("instance" in result ? result.instance : result);
    return result;
  };
  try {
    const sql = (await initSqlJs(moduleConfig(source))) as Omit<SqlJsModule, "memory">;
    return Object.assign(sql, { memory: memoryOf(sql, instances) });
  } finally {
    wasm.instantiate = instantiate;
    if (addedLocation) delete global.location;
  }
}

/** The memory of the instance whose exports sql.js took its C functions from. */
function memoryOf(sql: Omit<SqlJsModule, "memory">, instances: WasmInstance[]): WasmMemory {
  for (const { exports } of instances) {
    const values = Object.values(exports);
    if (!values.includes(sql._sqlite3_errmsg)) continue;
    const memory = values.find((value) => Object.prototype.toString.call(value) === "[object WebAssembly.Memory]");
    if (memory) return memory as WasmMemory;
  }
  // initSqlJs() keeps the first instance it starts: one started elsewhere was never seen here.
  throw new UnsupportedEngineError(
    "sql.js was started before dotdo's runtime loaded it (initSqlJs() hands every later caller its first instance), so the runtime cannot reach its memory to apply SQLite's limits: load it through the runtime first",
  );
}

interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

/** The slice of the WebAssembly global used here (the project's lib settings do not type it). */
interface WasmGlobal {
  instantiate(module: WebAssembly.Module | Uint8Array, imports: unknown): Promise<WasmInstance | { instance: WasmInstance }>;
}

type SqlJsConfig = NonNullable<Parameters<typeof initSqlJs>[0]>;

// SQLite's own functions only, as workerd has: sql.js's legacy extension functions (median,
// reverse, …) are off, and with them its deprecation warnings.
const BASE_CONFIG = { useOldExtensionFunctions: false };

function moduleConfig(source: SqlWasmSource | undefined): SqlJsConfig {
  if (source === undefined) return BASE_CONFIG as SqlJsConfig;
  if (source instanceof Uint8Array) return { ...BASE_CONFIG, wasmBinary: source } as unknown as SqlJsConfig;
  if (source instanceof ArrayBuffer) return { ...BASE_CONFIG, wasmBinary: new Uint8Array(source) } as unknown as SqlJsConfig;
  // Instantiating a compiled module is allowed where compiling bytes is not (workerd).
  const wasm = (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly;
  const config = {
    ...BASE_CONFIG,
    instantiateWasm(imports: unknown, receive: (instance: unknown, module: WebAssembly.Module) => void) {
      const module = source as WebAssembly.Module;
      void wasm.instantiate(module, imports).then((instance) => receive(instance, module));
      return {};
    },
  };
  return config as unknown as SqlJsConfig;
}

function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === "string";
}
