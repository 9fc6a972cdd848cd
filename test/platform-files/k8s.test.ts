import { readdirSync } from "node:fs";
import { join } from "pathe";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HEALTH_PATH, READY_PATH } from "../../src/plugin/targets";
import { SECRET_ENV } from "../../src/presets/node/secret-env";
import { renderChart, UnsupportedTemplateError } from "./helpers/helm-subset";
import { byKind, parseManifests, validateManifest, type Manifest } from "./helpers/kubernetes";
import { unknownFieldErrors } from "./helpers/kubernetes-fields";
import { buildInProject, type BuiltProject } from "./helpers/project";
import { findTool, runTool } from "./helpers/tools";

const kubectl = findTool("kubectl", ["version", "--client"], "building the kustomize directory with `kubectl kustomize`");
// No helm binary can be had here (not on npm, not in Debian), so `helm template` / `helm lint`
// never run: the chart is rendered by a strict stand-in for the template subset it uses.
console.warn("NOT RUN: helm is not installable here; the chart is rendered by test/platform-files/helpers/helm-subset.ts instead");

let built: BuiltProject;
let kustomizeFiles: Manifest[];
let helmDefault: Manifest[];
let helmAll: Manifest[];

function chartTemplates(): Record<string, string> {
  const dir = built.path("helm/templates");
  return Object.fromEntries(readdirSync(dir).map((file) => [`templates/${file}`, built.text(`helm/templates/${file}`)]));
}

function renderHelm(overrides: (values: Record<string, any>) => void): Manifest[] {
  const chart = built.yaml("helm/Chart.yaml");
  const values = built.yaml("helm/values.yaml");
  overrides(values);
  const rendered = renderChart(chartTemplates(), { name: chart.name, version: chart.version, appVersion: chart.appVersion }, values);
  return Object.entries(rendered).flatMap(([file, text]) => parseManifests(text, file));
}

beforeAll(async () => {
  built = await buildInProject("k8s");
  const kustomization = built.yaml("kustomize/kustomization.yaml") as { resources: string[] };
  kustomizeFiles = kustomization.resources.flatMap((file) => parseManifests(built.text(`kustomize/${file}`), file));
  helmDefault = renderHelm(() => {});
  // As `helm template --set serviceMonitor.enabled=true --set ingress.host=…`: every optional part on.
  helmAll = renderHelm((values) => {
    values.serviceMonitor.enabled = true;
    values.ingress.host = "objects.example.com";
  });
});
afterAll(() => built?.remove());

/** The checks the issue asks of the deployment, whichever way it was written. */
function expectDeploymentRequirements(manifests: Manifest[]): void {
  const kinds = byKind(manifests);
  const deployment = kinds.Deployment!;
  const pod = deployment.spec.template;
  const container = pod.spec.containers[0];
  expect(pod.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);

  // Liveness on the runtime's health path, readiness on its ready path (503 while the store is
  // unreachable), by the port name the container declares.
  expect(container.ports).toContainEqual({ name: "http", containerPort: 3000 });
  expect(container.env).toContainEqual({ name: "PORT", value: "3000" });
  expect(container.livenessProbe.httpGet).toEqual({ path: HEALTH_PATH, port: "http" });
  expect(container.readinessProbe.httpGet).toEqual({ path: READY_PATH, port: "http" });
  expect(pod.spec.securityContext.runAsNonRoot).toBe(true);
  expect(pod.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30);

  // Secrets come from a Secret, never as literal values.
  const literal = (container.env as { name: string; value?: string }[]).filter((entry) => SECRET_ENV.includes(entry.name) && entry.value !== undefined);
  expect(literal).toEqual([]);
  expect(container.envFrom).toEqual([{ secretRef: { name: `${built.build.project.name}-storage`, optional: true } }]);
  expect(manifests.filter((manifest) => manifest.kind === "Secret")).toEqual([]);

  const service = manifests.find((manifest) => manifest.kind === "Service" && manifest.spec.clusterIP !== "None")!;
  expect(pod.metadata.labels).toMatchObject(service.spec.selector);
  expect(service.spec.ports).toContainEqual({ name: "http", port: 80, targetPort: "http" });

  const hpa = kinds.HorizontalPodAutoscaler!;
  expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 100, scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name } });
  // A CPU utilization target is measured against the container's CPU request, which must exist.
  expect(hpa.spec.metrics).toEqual([expect.objectContaining({ type: "Resource", resource: expect.objectContaining({ name: "cpu" }) })]);
  expect(container.resources.requests.cpu).toBeDefined();

  const pdb = kinds.PodDisruptionBudget!;
  expect(pod.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);
  // Below the HPA floor, so a node drain can always evict one pod.
  expect(pdb.spec.minAvailable).toBeLessThan(hpa.spec.minReplicas);

  // Any pod may take any request (no hashing on a header clients never send): each replica
  // forwards an object's calls to the pod whose lease holds it, at its own pod IP, signing them
  // with the shared secret from the Secret.
  const ingress = kinds.Ingress!;
  expect(ingress.metadata.annotations?.["nginx.ingress.kubernetes.io/upstream-hash-by"]).toBeUndefined();
  const env = Object.fromEntries((container.env as { name: string }[]).map((entry) => [entry.name, entry]));
  expect(env.DOTDO_HOLDER).toEqual({ name: "DOTDO_HOLDER", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } });
  expect(env.POD_IP).toEqual({ name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } });
  expect(env.DOTDO_ADVERTISE_URL).toEqual({ name: "DOTDO_ADVERTISE_URL", value: "http://$(POD_IP):3000" });
  expect(env.DOTDO_CLUSTER_SECRET).toMatchObject({ valueFrom: { secretKeyRef: { key: "DOTDO_CLUSTER_SECRET" } } });
  // Membership: a headless Service whose name resolves to every ready pod of the deployment.
  const peers = manifests.find((manifest) => manifest.kind === "Service" && manifest.spec.clusterIP === "None")!;
  expect(pod.metadata.labels).toMatchObject(peers.spec.selector);
  expect(peers.spec.ports).toContainEqual({ name: "http", port: 3000, targetPort: "http" });
  expect(env.DOTDO_PEERS_DNS).toEqual({ name: "DOTDO_PEERS_DNS", value: peers.metadata.name });
  expect(ingress.spec.ingressClassName).toBe("nginx");
  const backend = ingress.spec.rules[0].http.paths[0].backend.service;
  expect(backend).toEqual({ name: service.metadata.name, port: { name: "http" } });
}

describe("k8s preset: kustomize", () => {
  it("lists resource files that each pass the Kubernetes schema", () => {
    expect(kustomizeFiles.map((manifest) => manifest.kind).sort()).toEqual(["Deployment", "HorizontalPodAutoscaler", "Ingress", "PodDisruptionBudget", "Service", "Service"]);
    for (const manifest of kustomizeFiles) validateManifest(manifest);
    expectDeploymentRequirements(kustomizeFiles);
  });

  it("checks against a schema that rejects a wrong field type (the validator can fail)", () => {
    const deployment = structuredClone(byKind(kustomizeFiles).Deployment!);
    deployment.spec.template.spec.containers[0].ports[0].containerPort = "3000";
    expect(() => validateManifest(deployment)).toThrow(/containerPort must be integer/);
  });

  it.skipIf(!kubectl.available)("builds with kubectl kustomize into manifests that pass the schema, labels carried into every selector", () => {
    const result = runTool("kubectl", ["kustomize", built.path("kustomize")]);
    expect(result.status, result.stderr).toBe(0);
    const manifests = parseManifests(result.stdout, "kubectl kustomize");
    expect(manifests).toHaveLength(kustomizeFiles.length);
    for (const manifest of manifests) {
      validateManifest(manifest);
      expect(manifest.metadata.labels).toMatchObject({ "app.kubernetes.io/name": built.build.project.name });
    }
    expectDeploymentRequirements(manifests);
  });
});

describe("k8s preset: Helm chart (rendered without helm)", () => {
  it("declares a v2 application chart named for the Worker", () => {
    expect(built.yaml("helm/Chart.yaml")).toMatchObject({ apiVersion: "v2", name: built.build.project.name, type: "application" });
  });

  it("renders with its default values into manifests that pass the schema and meet the same requirements", () => {
    for (const manifest of helmDefault) validateManifest(manifest);
    expect(helmDefault.map((manifest) => manifest.kind).sort()).toEqual(["Deployment", "HorizontalPodAutoscaler", "Ingress", "PodDisruptionBudget", "Service", "Service"]);
    expectDeploymentRequirements(helmDefault);
  });

  it("renders a ServiceMonitor, when enabled, that passes the Prometheus Operator schema and scrapes the Service's port", () => {
    for (const manifest of helmAll) validateManifest(manifest);
    const { ServiceMonitor: monitor, Service: service, Ingress: ingress } = byKind(helmAll);
    expect(monitor?.spec.selector.matchLabels).toEqual(service?.metadata.labels);
    // Metrics need DOTDO_METRICS_TOKEN (probe finding 8): the scrape sends it from the app's Secret.
    const secret = helmAll.find((manifest) => manifest.kind === "Deployment")!.spec.template.spec.containers[0].envFrom[0].secretRef.name;
    expect(monitor?.spec.endpoints).toEqual([
      { port: "http", path: "/__dotdo/metrics", interval: "30s", authorization: { type: "Bearer", credentials: { name: secret, key: "DOTDO_METRICS_TOKEN" } } },
    ]);
    expect(ingress?.spec.rules[0].host).toBe("objects.example.com");
  });

  it("describes the same deployment as the kustomize manifests", () => {
    const helm = byKind(helmDefault);
    const plain = byKind(kustomizeFiles);
    const container = (manifests: Record<string, Manifest>) => manifests.Deployment!.spec.template.spec.containers[0];
    expect(container(helm)).toEqual(container(plain));
    expect(helm.Deployment!.spec.template.spec.securityContext).toEqual(plain.Deployment!.spec.template.spec.securityContext);
    expect(helm.HorizontalPodAutoscaler!.spec).toEqual(plain.HorizontalPodAutoscaler!.spec);
    expect(helm.PodDisruptionBudget!.spec.minAvailable).toEqual(plain.PodDisruptionBudget!.spec.minAvailable);
    expect(helm.Ingress!.metadata.annotations).toEqual(plain.Ingress!.metadata.annotations);
  });

  it("is rendered by a stand-in that refuses template syntax it does not know instead of guessing", () => {
    const chart = { name: "x", version: "0.1.0", appVersion: "1" };
    expect(() => renderChart({ "templates/a.yaml": "{{ range .Values.list }}{{ . }}{{ end }}" }, chart, { list: [1] })).toThrow(UnsupportedTemplateError);
    expect(() => renderChart({ "templates/a.yaml": "{{ .Values.missing }}" }, chart, {})).toThrow(/no value at \.Values\.missing/);
    expect(parseYaml(renderChart({ "templates/a.yaml": "a:\n  {{- if .Values.on }}\n  b: {{ .Values.v | quote }}\n  {{- end }}" }, chart, { on: true, v: "$x" })["templates/a.yaml"]!)).toEqual({ a: { b: "$x" } });
  });
});

describe("k8s preset: every manifest's fields", () => {
  it("has no field the Kubernetes API does not define (TypeScript's excess-property check on kubernetes-models' types), and the check finds a misspelt one", () => {
    const kubectlOutput = kubectl.available ? parseManifests(runTool("kubectl", ["kustomize", built.path("kustomize")]).stdout, "kubectl kustomize") : [];
    const misspelt = structuredClone(byKind(kustomizeFiles).Deployment!);
    misspelt.spec.template.spec.terminationGracePeriodSecond = 30;
    const manifests = [...kustomizeFiles, ...kubectlOutput, ...helmDefault, ...helmAll];
    expect(unknownFieldErrors([...manifests, misspelt])).toEqual([expect.stringMatching(/^Deployment: .*'"terminationGracePeriodSecond"' does not exist in type 'IPodSpec'/s)]);
  });
});

describe("k8s preset: files", () => {
  it("writes the chart and the kustomize directory beside the docker files", () => {
    expect(readdirSync(built.build.outDir).sort()).toEqual(["Dockerfile", "Dockerfile.dockerignore", "docker-compose.yml", "dotdo.json", "helm", "kustomize", "server"]);
    expect(readdirSync(join(built.build.outDir, "kustomize")).sort()).toEqual(["deployment.yaml", "hpa.yaml", "ingress.yaml", "kustomization.yaml", "pdb.yaml", "peers.yaml", "service.yaml"]);
  });
});
