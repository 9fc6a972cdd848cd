import { unsupportedFunction } from "./unsupported";

/** `cloudflare:node` off Cloudflare: a Node server needs no bridge to be served there. */
export const httpServerHandler = unsupportedFunction("httpServerHandler (cloudflare:node)");
export const handleAsNodeRequest = unsupportedFunction("handleAsNodeRequest (cloudflare:node)");
