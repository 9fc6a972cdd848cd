import { unsupportedClass, unsupportedFunction, unsupportedObject } from "./unsupported";

export { RpcStub } from "../namespace/local-stub";
export { RpcPromise, RpcProperty } from "../namespace/rpc-path";
export { ServiceStub } from "../loopback";

/**
 * The rest of `cloudflare:workers` that dotdo has no equivalent for: present, so that imports
 * build, and throwing `UnsupportedFeatureError` when used. A class such as `WorkflowEntrypoint`
 * can still be extended; only Cloudflare ever constructs it.
 */
export const WorkflowEntrypoint = unsupportedClass("Workflows (WorkflowEntrypoint)");
export const abortIsolate = unsupportedFunction("abortIsolate()");
export const withEnv = unsupportedFunction("withEnv()");
export const withExports = unsupportedFunction("withExports()");
export const withEnvAndExports = unsupportedFunction("withEnvAndExports()");
export const restore = unsupportedFunction("restore()");
export const cache = unsupportedObject("cache (cloudflare:workers)");
/**
 * Absent, as on a workerd without native tracing: libraries test for it (`tracing?.startActiveSpan`)
 * and fall back to no spans, where an object that throws on every read would stop them loading.
 */
export const tracing: undefined = undefined;
