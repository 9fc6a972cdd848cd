import type { PresetContext, Template } from "../../define";
import { k8sSettings } from "./settings";

/** Plain manifests (JSON, which is YAML) for `kubectl apply -k`; the ServiceMonitor is Helm-only (needs the CRD). */
export const kustomizeManifests: Record<string, Template> = {
  "kustomize/kustomization.yaml": (ctx) =>
    `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nlabels:\n  - pairs:\n      app.kubernetes.io/name: ${k8sSettings(ctx).name}\n    includeSelectors: true\nresources:\n  - deployment.yaml\n  - service.yaml\n  - peers.yaml\n  - hpa.yaml\n  - pdb.yaml\n  - ingress.yaml\n`,
  "kustomize/deployment.yaml": deployment,
  "kustomize/service.yaml": service,
  "kustomize/peers.yaml": peers,
  "kustomize/hpa.yaml": hpa,
  "kustomize/pdb.yaml": pdb,
  "kustomize/ingress.yaml": ingress,
};

function deployment(ctx: PresetContext): object {
  const s = k8sSettings(ctx);
  const probe = (path: string) => ({ httpGet: { path, port: "http" }, periodSeconds: 10 });
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: s.name },
    spec: {
      replicas: s.minReplicas,
      selector: { matchLabels: { "app.kubernetes.io/name": s.name } },
      template: {
        metadata: { labels: { "app.kubernetes.io/name": s.name } },
        spec: {
          // Objects checkpoint on SIGTERM: leave them time to finish.
          terminationGracePeriodSeconds: 30,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 },
          containers: [
            {
              name: "app",
              image: s.image,
              imagePullPolicy: s.pullPolicy,
              ports: [{ name: "http", containerPort: s.port }],
              env: [
                { name: "PORT", value: String(s.port) },
                { name: "HOST", value: "0.0.0.0" },
                { name: "DOTDO_STORAGE", value: s.storage },
                // Replicas forward each object's calls to the pod whose lease holds it.
                { name: "DOTDO_HOLDER", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
                { name: "DOTDO_ADVERTISE_URL", value: `http://$(POD_IP):${s.port}` },
                { name: "DOTDO_CLUSTER_SECRET", valueFrom: { secretKeyRef: { name: s.secretName, key: s.clusterSecretKey } } },
                { name: "DOTDO_PEERS_DNS", value: s.peersService },
              ],
              envFrom: [{ secretRef: { name: s.secretName, optional: true } }],
              readinessProbe: probe(s.readyPath),
              livenessProbe: { ...probe(s.healthPath), initialDelaySeconds: 10 },
              resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
            },
          ],
        },
      },
    },
  };
}

function service(ctx: PresetContext): object {
  return serviceOf(ctx, k8sSettings(ctx).name, 80, {});
}

/** Headless: no virtual IP, its name resolves to each ready pod (objects are placed over them). */
function peers(ctx: PresetContext): object {
  const s = k8sSettings(ctx);
  return serviceOf(ctx, s.peersService, s.port, { clusterIP: "None" });
}

/** A Service in front of the deployment's pods, on their `http` port. */
function serviceOf(ctx: PresetContext, name: string, port: number, spec: object): object {
  const s = k8sSettings(ctx);
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, labels: { "app.kubernetes.io/name": s.name } },
    spec: { ...spec, selector: { "app.kubernetes.io/name": s.name }, ports: [{ name: "http", port, targetPort: "http" }] },
  };
}

function hpa(ctx: PresetContext): object {
  const s = k8sSettings(ctx);
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: s.name },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: s.name },
      minReplicas: s.minReplicas,
      maxReplicas: s.maxReplicas,
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
    },
  };
}

function pdb(ctx: PresetContext): object {
  const s = k8sSettings(ctx);
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: s.name },
    spec: { minAvailable: 1, selector: { matchLabels: { "app.kubernetes.io/name": s.name } } },
  };
}

function ingress(ctx: PresetContext): object {
  const s = k8sSettings(ctx);
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name: s.name },
    spec: {
      ingressClassName: "nginx",
      rules: [{ http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: s.name, port: { name: "http" } } } }] } }],
    },
  };
}
