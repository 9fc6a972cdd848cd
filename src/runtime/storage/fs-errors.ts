/** True when `error` is a Node system error with this `code` (e.g. `ENOENT`). */
export function hasCode(error: unknown, ...codes: string[]): boolean {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" && codes.includes(code);
}

/** A `catch` handler that swallows the given codes and rethrows anything else. */
export function ignoreCode(...codes: string[]): (error: unknown) => void {
  return (error) => {
    if (!hasCode(error, ...codes)) throw error;
  };
}
