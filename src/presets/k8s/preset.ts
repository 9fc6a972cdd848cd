import { definePreset } from "../define";
import { docker, kubectl } from "../platform-clis";
import { k8sSettings } from "./templates/settings";
import { helmChart } from "./templates/helm";
import { kustomizeManifests } from "./templates/kustomize";

export default definePreset({
  name: "k8s",
  extends: "docker",
  description: "docker plus a Helm chart (HPA 2–100, PDB, ServiceMonitor, DO-id-hashing ingress) and the same as kustomize manifests",
  files: { ...helmChart, ...kustomizeManifests },
  deploy: {
    storage: "remote",
    steps: (ctx) => [
      // The image the Deployment names; a remote cluster needs it pushed to a registry it pulls from.
      { cli: docker, args: ["build", "-f", `${ctx.outDirFromRoot}/Dockerfile`, "-t", k8sSettings(ctx).image, "."] },
      { cli: kubectl, args: ["apply", "-k", `${ctx.outDirFromRoot}/kustomize`] },
    ],
  },
});
