/** S3-compatible services whose conditional writes need something beyond plain S3. */
export type S3Provider = "aws" | "r2" | "tigris" | "gcs" | "minio" | "other";

export const S3_PROVIDERS: readonly S3Provider[] = ["aws", "r2", "tigris", "gcs", "minio", "other"];

/** Guesses the provider from the endpoint's host; `aws` when there is no endpoint. */
export function detectProvider(endpoint: string | undefined): S3Provider {
  if (!endpoint) return "aws";
  const host = new URL(endpoint).hostname;
  if (host.endsWith(".r2.cloudflarestorage.com")) return "r2";
  if (host.endsWith(".tigris.dev") || host === "t3.storage.dev" || host.endsWith(".t3.storage.dev")) return "tigris";
  if (host === "storage.googleapis.com") return "gcs";
  if (host.endsWith("amazonaws.com")) return "aws";
  return "other";
}

type Headers = Record<string, string>;

/**
 * Header rewrites a provider needs on every request, applied before signing:
 * - Tigris serves reads from the nearest region unless asked for strong consistency,
 *   which a conditional write protocol needs.
 * - GCS's XML API spells create-only as generation 0 rather than `If-None-Match: *`.
 */
export function providerHeaders(provider: S3Provider): ((headers: Headers) => void) | undefined {
  switch (provider) {
    case "tigris":
      return (headers) => {
        headers["X-Tigris-Consistent"] = "true";
      };
    case "gcs":
      return (headers) => {
        if (headers["if-none-match"] !== "*") return;
        delete headers["if-none-match"];
        headers["x-goog-if-generation-match"] = "0";
      };
    default:
      return undefined;
  }
}
