import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "pathe";
import { parse as parseToml } from "smol-toml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProject, type WorkerProject } from "../../src/plugin/config";
import { presetContext, renderPresetFiles } from "../../src/presets/build/index";
import { resolvePreset } from "../../src/presets/registry";
import { FIXTURE_APP } from "./harness/outputs";

// Platform files are rendered without bundling: their content does not depend on the bundle.
let project: WorkerProject;
const scratch = mkdtempSync(join(tmpdir(), "dotdo-platform-files-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
beforeAll(async () => {
  project = await loadProject({ root: FIXTURE_APP });
});

function render(preset: string): Record<string, string> {
  return renderPresetFiles(presetContext(project, resolvePreset(preset), join(FIXTURE_APP, ".output")));
}

function writeAll(files: Record<string, string>, dir: string): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

describe("presets extend each other as data", () => {
  it("gives fly, render, railway, docker and k8s the node runtime and add only their own files", () => {
    for (const name of ["fly", "render", "railway", "docker", "k8s"]) {
      const preset = resolvePreset(name);
      expect(preset.runtime, name).toBe("node");
      expect(preset.chain.at(-1), name).toBe("node");
    }
    expect(resolvePreset("k8s").chain).toEqual(["k8s", "docker", "node"]);
    expect(Object.keys(render("node"))).toEqual([]);
    expect(Object.keys(render("railway"))).toEqual(["railway.json"]);
    expect(Object.keys(render("k8s"))).toEqual(expect.arrayContaining(["Dockerfile", "docker-compose.yml", "helm/Chart.yaml", "kustomize/kustomization.yaml"]));
    expect(resolvePreset("vercel")).toMatchObject({ runtime: "node", outDir: ".vercel/output", serverDir: "functions/index.func" });
  });
});

describe("docker", () => {
  it("writes a two-stage Dockerfile on Node 24 slim that runs as a non-root user with a health check", () => {
    const dockerfile = render("docker").Dockerfile ?? "";
    expect(dockerfile.match(/^FROM node:24-slim/gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^FROM node:24-slim AS build$/m);
    expect(dockerfile).toMatch(/^RUN npx dotdo build --preset=node --outDir \/out$/m);
    expect(dockerfile).toMatch(/^COPY --from=build --chown=node:node \/out\/server \/app\/server$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/__dotdo\/health/m);
    expect(dockerfile).toMatch(/^CMD \["node", "server\/index\.mjs"\]$/m);
  });

  it("writes a compose file with MinIO and a bucket-creating init step the app waits for", () => {
    // No docker-compose binary here yet: checked by structure, see docs/presets.md.
    const compose = render("docker")["docker-compose.yml"] ?? "";
    expect(compose).toContain("dockerfile: .output/Dockerfile");
    expect(compose).toMatch(/minio-init:\n\s+image: minio\/mc/);
    expect(compose).toContain("mc mb --ignore-existing local/fixture-app-state");
    expect(compose).toMatch(/depends_on:\n\s+minio-init:\n\s+condition: service_completed_successfully/);
  });
});

describe("fly, render, railway", () => {
  it("writes a fly.toml that stops idle machines, starts them on demand and checks health", () => {
    const fly = parseToml(render("fly")["fly.toml"] ?? "") as Record<string, any>;
    expect(fly.app).toBe("fixture-app");
    expect(fly.http_service).toMatchObject({ internal_port: 3000, auto_stop_machines: "stop", auto_start_machines: true, min_machines_running: 0 });
    expect(fly.http_service.checks[0]).toMatchObject({ path: "/__dotdo/health", method: "GET" });
    expect(fly.kill_signal).toBe("SIGTERM");
    expect(render("fly").Dockerfile).toBe(render("docker").Dockerfile);
  });

  it("writes railway.json with build and start commands and the health check", () => {
    expect(JSON.parse(render("railway")["railway.json"] ?? "")).toMatchObject({
      build: { buildCommand: "npx dotdo build --preset=railway" },
      deploy: { startCommand: "node .output/server/index.mjs", healthcheckPath: "/__dotdo/health" },
    });
  });

  it("writes a render.yaml web service on the Node runtime with secrets left to the dashboard", () => {
    const render_ = render("render")["render.yaml"] ?? "";
    expect(render_).toContain("startCommand: node .output/server/index.mjs");
    expect(render_).toContain("healthCheckPath: /__dotdo/health");
    expect(render_).toMatch(/- key: R2_SECRET_ACCESS_KEY\n\s+sync: false/);
  });
});

describe("k8s", () => {
  it("gives kustomize manifests that kubectl builds: Deployment, Service, a headless Service for membership, HPA 2–100, PDB and an ingress", () => {
    const dir = join(scratch, "k8s");
    writeAll(render("k8s"), dir);
    const built = execFileSync("kubectl", ["kustomize", join(dir, "kustomize")], { encoding: "utf8" });
    const kinds = [...built.matchAll(/^kind: (\w+)$/gm)].map((match) => match[1]);
    expect(kinds.sort()).toEqual(["Deployment", "HorizontalPodAutoscaler", "Ingress", "PodDisruptionBudget", "Service", "Service"]);
    expect(built).toMatch(/maxReplicas: 100\n\s+metrics:/);
    expect(built).toMatch(/minReplicas: 2/);
    expect(built).not.toContain("upstream-hash-by");
    expect(built).toContain("DOTDO_ADVERTISE_URL");
    expect(built).toContain("runAsNonRoot: true");
  });

  it("writes a Helm chart with the same parts plus a ServiceMonitor", () => {
    // No helm binary can be installed here, so the chart is checked by its files only.
    const files = render("k8s");
    expect(Object.keys(files).filter((path) => path.startsWith("helm/")).sort()).toEqual([
      "helm/Chart.yaml",
      "helm/templates/_helpers.tpl",
      "helm/templates/deployment.yaml",
      "helm/templates/hpa.yaml",
      "helm/templates/ingress.yaml",
      "helm/templates/pdb.yaml",
      "helm/templates/peers.yaml",
      "helm/templates/service.yaml",
      "helm/templates/servicemonitor.yaml",
      "helm/values.yaml",
    ]);
    expect(files["helm/Chart.yaml"]).toMatch(/^name: fixture-app$/m);
    expect(files["helm/values.yaml"]).toMatch(/minReplicas: 2\n\s+maxReplicas: 100/);
    expect(files["helm/templates/servicemonitor.yaml"]).toContain("kind: ServiceMonitor");
  });
});

describe("vercel and deno", () => {
  it("writes Build Output API v3 config for the edge and the Node runtime", () => {
    expect(JSON.parse(render("vercel-edge")["config.json"] ?? "")).toMatchObject({ version: 3 });
    expect(JSON.parse(render("vercel-edge")["functions/index.func/.vc-config.json"] ?? "")).toMatchObject({ runtime: "edge", entrypoint: "index.mjs" });
    expect(JSON.parse(render("vercel")["functions/index.func/.vc-config.json"] ?? "")).toMatchObject({ runtime: "nodejs22.x", handler: "index.mjs" });
  });

  it("writes deno.json with a start task holding the permissions the server needs", () => {
    expect(JSON.parse(render("deno")["deno.json"] ?? "")).toEqual({
      tasks: { start: "deno run --allow-env --allow-net --allow-read --allow-write --allow-sys=hostname,osRelease,networkInterfaces server/index.mjs" },
    });
  });
});
