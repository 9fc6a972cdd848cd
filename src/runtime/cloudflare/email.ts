/**
 * `cloudflare:email` off Cloudflare. An `EmailMessage` is only data: building one works as on
 * workerd; sending it needs a `send_email` binding, which exists only on Cloudflare.
 */
export class EmailMessage {
  readonly from: string;
  readonly to: string;
  readonly raw: ReadableStream | string;

  constructor(from: string, to: string, raw: ReadableStream | string) {
    this.from = from;
    this.to = to;
    this.raw = raw;
  }
}
