import { parse as parseJsonc, printParseErrorCode, type ParseError } from "jsonc-parser";
import { parse as parseToml, TomlError } from "smol-toml";
import { InvalidConfigError } from "./errors";

/** Wrangler file names in the order wrangler itself prefers them. */
export const WRANGLER_FILES = ["wrangler.jsonc", "wrangler.json", "wrangler.toml"] as const;

/** Parses wrangler config text by the file's extension; `file` is used in errors only. */
export function parseWranglerText(text: string, file: string): unknown {
  return file.endsWith(".toml") ? parseTomlText(text, file) : parseJsoncText(text, file);
}

function parseJsoncText(text: string, file: string): unknown {
  const errors: ParseError[] = [];
  const value: unknown = parseJsonc(text, errors, { allowTrailingComma: true });
  const first = errors[0];
  if (first) {
    const { line, column } = lineAndColumn(text, first.offset);
    throw new InvalidConfigError(file, undefined, `is not valid JSONC: ${printParseErrorCode(first.error)} at line ${line}, column ${column}`);
  }
  return value;
}

function parseTomlText(text: string, file: string): unknown {
  try {
    return parseToml(text);
  } catch (error) {
    if (error instanceof TomlError) {
      throw new InvalidConfigError(file, undefined, `is not valid TOML: ${error.message.split("\n")[0]} at line ${error.line}, column ${error.column}`);
    }
    throw error;
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}
