import { runtimeModule } from "./package-paths";
import type { RuntimeTarget } from "./targets";

/**
 * The `cloudflare:*` modules workerd offers, and the runtime module standing in for each off
 * Cloudflare (see src/runtime/cloudflare/). Each exports the names workerd's does, so that any
 * import builds; what cannot work off Cloudflare throws `UnsupportedFeatureError` when used.
 */
const MODULES: Record<string, string> = {
  "cloudflare:workers": "index",
  "cloudflare:sockets": "cloudflare/sockets",
  "cloudflare:email": "cloudflare/email",
  "cloudflare:workflows": "cloudflare/workflows",
  "cloudflare:ai": "cloudflare/ai",
  "cloudflare:br": "cloudflare/br",
  "cloudflare:node": "cloudflare/node",
  "cloudflare:pipelines": "cloudflare/pipelines",
  "cloudflare:vectorize": "cloudflare/vectorize",
};

/** Targets with no TCP: `connect()` throws there instead. */
const NO_TCP: RuntimeTarget[] = ["vercel-edge"];

/** The file that provides `specifier` on `target`, or undefined for a module workerd lacks too. */
export function cloudflareModule(specifier: string, target: RuntimeTarget): string | undefined {
  const module = specifier === "cloudflare:sockets" && NO_TCP.includes(target) ? "cloudflare/sockets-unavailable" : MODULES[specifier];
  return module === undefined ? undefined : runtimeModule(module);
}
