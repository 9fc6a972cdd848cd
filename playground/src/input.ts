/** A request the API cannot use: answered 400 with the message and the code. */
export class BadInputError extends Error {
  readonly code = "BAD_INPUT";
}

const NAME = /^[\w-]{1,64}$/;

/** An object name from the URL: letters, digits, `_` and `-`, at most 64. */
export function objectName(value: string | undefined | null, what: string): string {
  if (!value || !NAME.test(value)) throw new BadInputError(`${what} must be 1 to 64 letters, digits, "_" or "-"; got ${JSON.stringify(value ?? "")}`);
  return value;
}

/** A path segment as written, before its escapes: `%20` is a space. */
export function pathSegment(raw: string | undefined): string | undefined {
  try {
    return raw === undefined ? undefined : decodeURIComponent(raw);
  } catch {
    throw new BadInputError(`the path segment ${JSON.stringify(raw)} is not valid percent-encoding`);
  }
}

/** Free text from the query string, `fallback` when absent or empty, at most `max` characters. */
export function shortText(params: URLSearchParams, key: string, fallback: string, max: number): string {
  const value = params.get(key) || fallback;
  if (value.length > max) throw new BadInputError(`?${key} must be at most ${max} characters; got ${value.length}`);
  return value;
}

/** A whole number in `[min, max]` from the query string. */
export function wholeNumber(params: URLSearchParams, key: string, min: number, max: number): number {
  const raw = params.get(key);
  const value = Number(raw);
  if (raw === null || raw === "" || !Number.isInteger(value) || value < min || value > max) {
    throw new BadInputError(`?${key} must be a whole number from ${min} to ${max}; got ${JSON.stringify(raw ?? "")}`);
  }
  return value;
}
