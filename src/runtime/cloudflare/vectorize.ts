/** `cloudflare:vectorize` off Cloudflare: its constants, as workerd exports them. */
export const DistanceMetric = Object.freeze({ EUCLIDEAN: "euclidean", COSINE: "cosine", DOT_PRODUCT: "dot-product" });
export const MetadataRetrievalLevel = Object.freeze({ ALL: "all", INDEXED: "indexed", NONE: "none" });
export const KnownModel = Object.freeze(
  Object.fromEntries(
    ["openai/text-embedding-ada-002", "cohere/embed-multilingual-v2.0", "@cf/baai/bge-small-en-v1.5", "@cf/baai/bge-base-en-v1.5", "@cf/baai/bge-large-en-v1.5"].map((model) => [model, model]),
  ),
);
