import type { PresetContext } from "../../define";
import { HEALTH_PATH, METRICS_PATH, READY_PATH } from "../../../plugin/targets";

/** What the Helm values and the kustomize manifests share, so the two stay the same deployment. */
export function k8sSettings({ project }: PresetContext) {
  return {
    name: project.name,
    image: `${project.name}:latest`,
    // Kubernetes pulls `:latest` on every start by default, which fails for an image built locally.
    pullPolicy: "IfNotPresent",
    port: 3000,
    healthPath: HEALTH_PATH,
    readyPath: READY_PATH,
    metricsPath: METRICS_PATH,
    /** Replicas: the HPA range and the PDB floor. */
    minReplicas: 2,
    maxReplicas: 100,
    /** Secret holding R2_ENDPOINT, R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY, JWT_TOKEN. */
    secretName: `${project.name}-storage`,
    storage: `s3://${project.name}-state/dotdo`,
    /** The key of that Secret holding the replicas' shared secret for forwarded calls. */
    clusterSecretKey: "DOTDO_CLUSTER_SECRET",
    /** A headless Service: its DNS name resolves to every ready pod, the replicas' membership. */
    peersService: `${project.name}-peers`,
  };
}
