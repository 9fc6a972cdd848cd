import { relative } from "pathe";
import { UnsupportedConfigError } from "./errors";
import type { WorkerProject } from "./types";

/**
 * Off Cloudflare dotdo runs exactly one Worker, so a binding to a class in another Worker
 * (`script_name`) has nothing to talk to: refuse it at build time rather than at the first request.
 */
export function assertRunnableOffCloudflare(project: WorkerProject): void {
  const index = project.durableObjects.findIndex((binding) => binding.scriptName !== undefined);
  const binding = project.durableObjects[index];
  if (binding?.scriptName === undefined) return;
  throw new UnsupportedConfigError(
    relative(project.root, project.configFile),
    `durable_objects.bindings[${index}].script_name`,
    `binds ${binding.name} to class ${binding.className} in another Worker ("${binding.scriptName}"); cross-script Durable Object bindings work only on Cloudflare. Move the class into this Worker or build with --preset=cloudflare`,
  );
}
