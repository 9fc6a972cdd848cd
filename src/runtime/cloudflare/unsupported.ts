import { DotdoError } from "../errors";

/**
 * A Cloudflare feature dotdo has no equivalent for off Cloudflare (Workers AI, browser
 * rendering, …). Importing its module works, so that a library that merely mentions it still
 * builds; using it throws this, naming the feature.
 */
export class UnsupportedFeatureError extends DotdoError {
  constructor(readonly feature: string) {
    super("UNSUPPORTED_FEATURE", `${feature} is available only on Cloudflare; dotdo does not provide it off Cloudflare`);
  }
}

/** A function that throws `UnsupportedFeatureError` for `feature` when called. */
export function unsupportedFunction(feature: string): (...args: unknown[]) => never {
  return () => {
    throw new UnsupportedFeatureError(feature);
  };
}

/**
 * A class that can be named and extended at module load, and throws `UnsupportedFeatureError`
 * for `feature` once constructed.
 */
export function unsupportedClass(feature: string): abstract new (...args: unknown[]) => object {
  return class {
    constructor() {
      throw new UnsupportedFeatureError(feature);
    }
  };
}

/** An `Error` subclass named `name`, as workerd's modules export for their failures. */
export function namedError(name: string): new (message?: string) => Error {
  return {
    [name]: class extends Error {
      constructor(message?: string) {
        super(message);
        this.name = name;
      }
    },
  }[name]!;
}

/** An object whose every property read throws `UnsupportedFeatureError` for `feature`. */
export function unsupportedObject(feature: string): object {
  return new Proxy(
    {},
    {
      get(_, property) {
        if (property === "then" || typeof property === "symbol") return undefined;
        throw new UnsupportedFeatureError(feature);
      },
    },
  );
}
