import { installWorkerdGlobals } from "./state/workerd-globals";

// Imported first by every bundle built off Cloudflare, so that the Worker's modules and the
// libraries they use see workerd's globals from their first line (some capture them at load).
installWorkerdGlobals();
