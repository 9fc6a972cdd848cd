import { readFileSync } from "node:fs";
import { join } from "pathe";
import { describe, expect, it } from "vitest";
import { buildFixture } from "../presets/harness/outputs";
import { ASSETS_FIXTURE } from "./requests";

describe("assets in the other outputs", () => {
  it.each(["vercel", "vercel-edge"])("%s: copies them as Build Output API static files and says what Vercel does not do", async (preset) => {
    const output = await buildFixture(preset, ASSETS_FIXTURE);
    try {
      expect(output.build.files).toEqual(expect.arrayContaining(["static/index.html", "static/docs/guide/index.html", "static/logo.png"]));
      expect(readFileSync(join(output.copy, "static/logo.png"))).toEqual(readFileSync(join(ASSETS_FIXTURE, "public/logo.png")));
      // Vercel serves the files before the route to the function.
      expect(JSON.parse(output.read("config.json")).routes[0]).toEqual({ handle: "filesystem" });
      expect(output.build.warnings).toEqual([
        expect.stringMatching(/"assets" are served by .* at their exact paths .*html_handling, not_found_handling and run_worker_first do not apply/),
        expect.stringMatching(/"assets\.binding" binds ASSETS, which .* does not provide; env\.ASSETS is undefined there/),
      ]);
    } finally {
      output.remove();
    }
  });

  it("docker: the image holds the assets next to the server", async () => {
    const output = await buildFixture("docker", ASSETS_FIXTURE);
    try {
      expect(output.read("Dockerfile")).toContain("COPY --from=build --chown=node:node /out/public /app/public\n");
      expect(output.build.files).toContain("public/index.html");
    } finally {
      output.remove();
    }
  });
});
