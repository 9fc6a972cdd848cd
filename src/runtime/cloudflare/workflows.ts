/** `cloudflare:workflows` off Cloudflare: the error a step throws to stop retries. */
export class NonRetryableError extends Error {
  constructor(message: string, name = "NonRetryableError") {
    super(message);
    this.name = name;
  }
}
