import { namedError, unsupportedClass } from "./unsupported";

/** `cloudflare:ai` off Cloudflare: the error classes are real; the services throw when constructed. */
export const Ai = unsupportedClass("Workers AI (cloudflare:ai Ai)");
export const AiGateway = unsupportedClass("AI Gateway (cloudflare:ai AiGateway)");
export const AutoRAG = unsupportedClass("AutoRAG (cloudflare:ai AutoRAG)");
export const ToMarkdownService = unsupportedClass("Workers AI toMarkdown (cloudflare:ai ToMarkdownService)");
export const AiGatewayInternalError = namedError("AiGatewayInternalError");
export const AiGatewayLogNotFound = namedError("AiGatewayLogNotFound");
export const AutoRAGInternalError = namedError("AutoRAGInternalError");
export const AutoRAGNotFoundError = namedError("AutoRAGNotFoundError");
export const AutoRAGUnauthorizedError = namedError("AutoRAGUnauthorizedError");
export const InferenceUpstreamError = namedError("InferenceUpstreamError");
