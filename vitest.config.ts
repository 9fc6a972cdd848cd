import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Off Cloudflare, Worker code's `cloudflare:workers` is dotdo's runtime.
    alias: { "cloudflare:workers": fileURLToPath(new URL("./src/runtime/index.ts", import.meta.url)) },
  },
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "test/fixtures/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: tests that start real servers and runtimes should not starve each other.
    maxWorkers: 2,
  },
});
