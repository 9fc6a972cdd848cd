import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { Secret, Service } from "kubernetes-models/v1";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { parseAllDocuments } from "yaml";

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
}

interface Model {
  validate(): void;
}

interface Kind {
  model: new (data: any) => Model;
  /** Module and interface of the same kind's TypeScript type, for the unknown-field check. */
  type: [module: string, name: string];
}

/** The kinds dotdo's k8s preset writes, each with the schema model that checks it. */
export const KINDS: Record<string, Kind> = {
  "apps/v1 Deployment": { model: Deployment, type: ["kubernetes-models/apps/v1/Deployment", "IDeployment"] },
  "v1 Service": { model: Service, type: ["kubernetes-models/v1/Service", "IService"] },
  "v1 Secret": { model: Secret, type: ["kubernetes-models/v1/Secret", "ISecret"] },
  "autoscaling/v2 HorizontalPodAutoscaler": { model: HorizontalPodAutoscaler, type: ["kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler", "IHorizontalPodAutoscaler"] },
  "policy/v1 PodDisruptionBudget": { model: PodDisruptionBudget, type: ["kubernetes-models/policy/v1/PodDisruptionBudget", "IPodDisruptionBudget"] },
  "networking.k8s.io/v1 Ingress": { model: Ingress, type: ["kubernetes-models/networking.k8s.io/v1/Ingress", "IIngress"] },
  "monitoring.coreos.com/v1 ServiceMonitor": {
    model: ServiceMonitor,
    type: ["@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor", "IServiceMonitor"],
  },
};

export function kindOf(manifest: Manifest): Kind {
  const kind = KINDS[`${manifest.apiVersion} ${manifest.kind}`];
  if (!kind) throw new Error(`no schema model for ${manifest.apiVersion} ${manifest.kind} (${manifest.metadata?.name})`);
  return kind;
}

/** Parses a multi-document YAML stream; a YAML error fails with its message, empty documents are dropped. */
export function parseManifests(text: string, source: string): Manifest[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors.map((error) => error.message).join("; ")}`);
    const value = doc.toJS() as Manifest | null;
    return value === null ? [] : [value];
  });
}

/**
 * Checks a manifest against the Kubernetes OpenAPI schema (types, required fields, formats,
 * enums). kubernetes-models does not reject unknown fields: `unknownFieldErrors` does that.
 * An unknown kind fails: every manifest written must be checked.
 */
export function validateManifest(manifest: Manifest): void {
  new (kindOf(manifest).model)(manifest).validate();
}

export function byKind(manifests: Manifest[]): Record<string, Manifest> {
  return Object.fromEntries(manifests.map((manifest) => [manifest.kind, manifest]));
}
