import { unsupportedClass } from "./unsupported";

/** `cloudflare:br` off Cloudflare. */
export const BrowserRendering = unsupportedClass("Browser Rendering (cloudflare:br)");
