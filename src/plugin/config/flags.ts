import type { WorkerProject } from "./types";

/** Whether the Worker asks for Node's modules (`nodejs_compat`, or its older `nodejs_compat_v2`). */
export function hasNodejsCompat(project: Pick<WorkerProject, "compatibilityFlags">): boolean {
  return project.compatibilityFlags.some((flag) => flag === "nodejs_compat" || flag === "nodejs_compat_v2");
}
