import { definePreset } from "../define";
import { helmChart } from "./templates/helm";
import { kustomizeManifests } from "./templates/kustomize";

export default definePreset({
  name: "k8s",
  extends: "docker",
  description: "docker plus a Helm chart (HPA 2–100, PDB, ServiceMonitor, DO-id-hashing ingress) and the same as kustomize manifests",
  files: { ...helmChart, ...kustomizeManifests },
  commands: {
    deploy: (ctx) => `docker build -f ${ctx.outDirFromRoot}/Dockerfile -t ${ctx.project.name} . && kubectl apply -k ${ctx.outDirFromRoot}/kustomize`,
  },
});
