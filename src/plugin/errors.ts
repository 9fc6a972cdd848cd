import { DotdoError } from "../runtime/errors";

/** A `cloudflare:*` module that has no equivalent off Cloudflare. */
export class UnsupportedImportError extends DotdoError {
  constructor(readonly specifier: string, readonly importer: string | undefined) {
    super(
      "UNSUPPORTED_IMPORT",
      `${importer ?? "the Worker"} imports "${specifier}", which exists only on Cloudflare; off Cloudflare dotdo provides "cloudflare:workers" alone`,
    );
  }
}
