import { CorruptFileError } from "./errors";

/** The bare integer with no trailing newline: DuckDB reads the hint untrimmed. */
export function versionHintText(version: number): string {
  return String(version);
}

export function parseVersionHint(text: string, path: string): number {
  if (!/^[1-9][0-9]*$/.test(text.trim())) throw new CorruptFileError(path, `version hint "${text.slice(0, 40)}" is not a version number`);
  return Number(text.trim());
}
