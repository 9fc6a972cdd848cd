import { resolveCompatibility } from "./compatibility";
import { installWorkerdGlobals as install } from "./state/workerd-globals";

// Imported first by every bundle built off Cloudflare, so that the Worker's modules and the
// libraries they use see workerd's globals from their first line (some capture them at load).
// Those of the default compatibility date, until the bundle names the Worker's.
install();

/** workerd's globals as the Worker's compatibility date and flags make them (`navigator`). */
export function installWorkerdGlobals(date?: string, flags?: readonly string[]): void {
  install(resolveCompatibility(date, flags));
}
