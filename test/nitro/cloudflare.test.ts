import { readFileSync, rmSync } from "node:fs";
import { Miniflare } from "miniflare";
import { join } from "pathe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildNitroApp, counterFlow, json, NITRO_APP, type AppFetch, type NitroOutput } from "./harness";

/** The parts of the wrangler.json Nitro writes (with `cloudflare.deployConfig`) that workerd needs. */
interface GeneratedWrangler {
  main: string;
  compatibility_date: string;
  compatibility_flags: string[];
  durable_objects: { bindings: { name: string; class_name: string }[] };
  migrations: { tag: string; new_sqlite_classes?: string[] }[];
}

let output: NitroOutput;
let wrangler: GeneratedWrangler;
let mf: Miniflare;
const fetchApp: AppFetch = async (path, init) => (await mf.dispatchFetch(`http://localhost${path}`, init as never)) as unknown as Response;

beforeAll(async () => {
  output = await buildNitroApp("cloudflare-module", { cloudflare: { deployConfig: true } });
  const serverDir = join(output.dir, "server");
  wrangler = JSON.parse(readFileSync(join(serverDir, "wrangler.json"), "utf8")) as GeneratedWrangler;
  const sqliteClasses = new Set(wrangler.migrations.flatMap((step) => step.new_sqlite_classes ?? []));
  // The generated wrangler.json, read the way wrangler would hand it to workerd.
  mf = new Miniflare({
    modules: true,
    scriptPath: join(serverDir, wrangler.main),
    modulesRoot: serverDir,
    compatibilityDate: wrangler.compatibility_date,
    compatibilityFlags: wrangler.compatibility_flags,
    durableObjects: Object.fromEntries(
      wrangler.durable_objects.bindings.map((b) => [b.name, { className: b.class_name, useSQLite: sqliteClasses.has(b.class_name) }]),
    ),
  });
  await mf.ready;
});

afterAll(async () => {
  await mf?.dispose();
  output?.remove();
  // Where Nitro's deployConfig points wrangler at the generated config, in the project itself.
  rmSync(join(NITRO_APP, ".wrangler"), { recursive: true, force: true });
});

describe("Nitro cloudflare-module: Nitro's own Cloudflare output, run in workerd", () => {
  it("declares the bindings and a SQLite migration in the wrangler.json Nitro writes", () => {
    expect(wrangler.durable_objects).toEqual({ bindings: [{ name: "COUNTER", class_name: "Counter" }] });
    expect(wrangler.migrations).toEqual([{ tag: "v1", new_sqlite_classes: ["Counter"] }]);
  });

  it("exports the bound class from the Worker's entry and leaves Nitro's own runtime in charge", () => {
    const entry = readFileSync(join(output.dir, "server", wrangler.main), "utf8");
    expect(entry).toMatch(/export\s*\{[^}]*\bCounter\b[^}]*\}/);
    expect(entry).not.toContain("virtual:dotdo");
    expect(entry).not.toContain("sql-wasm");
  });

  it("answers the counter flow exactly as the other presets do", async () => {
    expect(await json(fetchApp, "/runtime")).toEqual({ runtime: "workerd" });
    await counterFlow(fetchApp, "flow");
  });
});
