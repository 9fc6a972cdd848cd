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

/** The kinds dotdo's k8s preset writes, each with the schema model that checks it. */
const MODELS: Record<string, new (data: any) => Model> = {
  "apps/v1 Deployment": Deployment,
  "v1 Service": Service,
  "v1 Secret": Secret,
  "autoscaling/v2 HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "policy/v1 PodDisruptionBudget": PodDisruptionBudget,
  "networking.k8s.io/v1 Ingress": Ingress,
  "monitoring.coreos.com/v1 ServiceMonitor": ServiceMonitor,
};

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
 * enums). kubernetes-models does not reject unknown fields, so tests also assert the fields
 * that matter by value. An unknown kind fails: every manifest written must be checked.
 */
export function validateManifest(manifest: Manifest): void {
  const Model = MODELS[`${manifest.apiVersion} ${manifest.kind}`];
  if (!Model) throw new Error(`no schema model for ${manifest.apiVersion} ${manifest.kind} (${manifest.metadata?.name})`);
  new Model(manifest).validate();
}

export function byKind(manifests: Manifest[]): Record<string, Manifest> {
  return Object.fromEntries(manifests.map((manifest) => [manifest.kind, manifest]));
}
