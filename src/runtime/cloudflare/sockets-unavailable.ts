import { unsupportedFunction } from "./unsupported";

/** `cloudflare:sockets` where the platform has no TCP (Vercel Edge). */
export const connect = unsupportedFunction("TCP sockets (cloudflare:sockets connect) on this platform");
