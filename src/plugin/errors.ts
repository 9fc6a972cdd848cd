import { DotdoError } from "../runtime/errors";

/** A `cloudflare:*` module that workerd does not offer either. */
export class UnsupportedImportError extends DotdoError {
  constructor(readonly specifier: string, readonly importer: string | undefined) {
    super(
      "UNSUPPORTED_IMPORT",
      `${importer ?? "the Worker"} imports "${specifier}", which is not a module workerd provides`,
    );
  }
}
