import { resolveCompatibility } from "../../runtime/compatibility";
import type { WorkerProject } from "./types";

/**
 * Whether the Worker gets Node's modules: `nodejs_compat` or `nodejs_compat_v2`, named or on
 * by its compatibility date, and not turned off by `no_nodejs_compat`.
 */
export function hasNodejsCompat(project: Pick<WorkerProject, "compatibilityDate" | "compatibilityFlags">): boolean {
  const compatibility = resolveCompatibility(project.compatibilityDate, project.compatibilityFlags);
  return compatibility.nodeJsCompat || compatibility.nodeJsCompatV2;
}
