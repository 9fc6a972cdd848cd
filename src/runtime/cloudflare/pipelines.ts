import { unsupportedClass } from "./unsupported";

/** `cloudflare:pipelines` off Cloudflare. */
export const PipelineTransformationEntrypoint = unsupportedClass("Pipelines (cloudflare:pipelines)");
