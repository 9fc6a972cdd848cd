import { join } from "node:path";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { describe, expect, it } from "vitest";

const here = import.meta.dirname;

describe("edge safety", () => {
  it("keeps node: modules and the AWS SDK out of the static import graph of the storage index", async () => {
    // With code splitting, whatever is only reachable through dynamic import() lands in
    // other chunks; the entry chunk is what an edge bundle always loads.
    const result = await build({
      entryPoints: [join(here, "..", "..", "src", "runtime", "storage", "index.ts")],
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "browser",
      outdir: "/virtual",
      write: false,
      external: ["node:*", "@aws-sdk/*"],
      metafile: true,
      logLevel: "silent",
    });
    const entry = Object.entries(result.metafile.outputs).find(([, output]) => output.entryPoint);
    expect(entry).toBeDefined();
    const staticImports = entry?.[1].imports.filter((i) => i.kind === "import-statement").map((i) => i.path) ?? [];
    expect(staticImports.filter((path) => path.startsWith("node:") || path.startsWith("@aws-sdk"))).toEqual([]);
    const lazy = entry?.[1].imports.filter((i) => i.kind === "dynamic-import") ?? [];
    expect(lazy.length).toBe(2);
  });

  it("runs the R2 store with its guard inside workerd", async () => {
    const bundle = await build({
      entryPoints: [join(here, "fixtures", "r2-worker.ts")],
      bundle: true,
      format: "esm",
      platform: "browser",
      write: false,
      logLevel: "silent",
    });
    const script = bundle.outputFiles[0]?.text ?? "";
    expect(script).not.toMatch(/from\s*["']node:/);
    const mf = new Miniflare({ modules: true, script, r2Buckets: ["B"], compatibilityDate: "2025-01-01" });
    try {
      const response = await mf.dispatchFetch("http://localhost/");
      expect(await response.json()).toEqual({
        etag: expect.stringMatching(/^[0-9a-f]{32}$/),
        second: "PRECONDITION_FAILED",
        range: "from",
        keys: ["edge/k"],
      });
    } finally {
      await mf.dispose();
    }
  });
});
