import { SqliteError } from "../sqlite/errors";
import { firstStatement, isPragma, tokenize, type SqlToken } from "../sqlite/sql-text";

/** What argument an allowed pragma may take (workerd's `PragmaSignature`). */
type Signature = "any" | "none" | "boolean" | "name" | "optional name" | "optional number" | "optional number or name";

/**
 * The pragmas workerd's authorizer allows, with the argument each may take; any other pragma
 * is refused. Names compare case-sensitively, as SQLite hands them to the authorizer as written.
 */
const ALLOWED_PRAGMAS: ReadonlyMap<string, Signature> = new Map([
  ["data_version", "none"],
  ["case_sensitive_like", "boolean"],
  ["foreign_keys", "boolean"],
  ["defer_foreign_keys", "boolean"],
  ["ignore_check_constraints", "boolean"],
  ["legacy_alter_table", "boolean"],
  ["recursive_triggers", "boolean"],
  ["reverse_unordered_selects", "boolean"],
  ["foreign_key_check", "optional name"],
  ["foreign_key_list", "name"],
  ["index_info", "name"],
  ["index_list", "name"],
  ["index_xinfo", "name"],
  ["table_info", "name"],
  ["table_xinfo", "name"],
  ["table_list", "any"],
  ["quick_check", "optional number or name"],
  ["optimize", "optional number"],
]);

/** Pragmas whose table function's only argument is the schema: SQLite checks it first. */
const SCHEMA_ARGUMENT = new Set([
  "auto_vacuum", "cache_size", "cache_spill", "default_cache_size", "journal_mode", "journal_size_limit",
  "locking_mode", "max_page_count", "page_count", "page_size", "synchronous",
]);

/** workerd compares a boolean argument's prefix (`strncasecmp` with each word's length). */
const BOOLEAN_WORDS = ["true", "false", "yes", "no", "on", "off", "1", "0"];

/** Tables whose names start with this belong to the runtime (compared case-insensitively, as in workerd). */
export const RESERVED_PREFIX = "_cf_";

export function isAllowedName(name: string): boolean {
  return name.slice(0, RESERVED_PREFIX.length).toLowerCase() !== RESERVED_PREFIX;
}

/**
 * Refuses a PRAGMA workerd's authorizer refuses, given the SQL text that starts with it
 * (later statements may follow). SQLite carries out a pragma while *preparing* it — some,
 * like `hard_heap_limit`, for the whole process — so this must run before SQLite sees the
 * statement; other statements act only when run, and are checked after preparing.
 */
export function checkPragmaBeforePrepare(code: string): void {
  if (!isPragma(code)) return;
  const tokens = firstStatement(tokenize(code));
  if (!isAllowedPragma(code, tokens)) throw notAuthorized();
}

/**
 * A pragma table function (`SELECT * FROM pragma_table_info('t')`) runs its PRAGMA when the
 * statement first steps, and has no side effects: it is judged after preparing (SQLite's
 * errors about it come first), as the PRAGMA it runs. An argument that is not a literal is
 * not known here and passes.
 */
export function checkPragmaFunctions(statement: string): void {
  const tokens = tokenize(statement);
  tokens.forEach((token, i) => {
    if (token.kind !== "word" && token.kind !== "quoted") return;
    const name = token.text.toLowerCase();
    if (!name.startsWith("pragma_")) return;
    const body = tokens[i + 1]?.text === "(" ? tokens.slice(i + 2, argumentsEnd(tokens, i + 2)) : [];
    const comma = body.findIndex((t) => t.text === "," && t.kind === "other");
    const argument = comma === -1 ? body : body.slice(0, comma);
    const literal = argument.every((t) => t.kind !== "word" || /^\d/.test(t.text));
    const pragma = name.slice("pragma_".length);
    const value = literal ? valueOf(statement, argument) : "";
    if (SCHEMA_ARGUMENT.has(pragma) && value && !["main", "temp"].includes(value.toLowerCase())) {
      throw new SqliteError(`unknown database '${value}'`, "SQLITE_ERROR");
    }
    if (!allows(pragma, value)) throw notAuthorized();
  });
}

/** `PRAGMA [schema.]name [= value | (value)]`, judged as workerd's authorizer judges it. */
function isAllowedPragma(code: string, tokens: SqlToken[]): boolean {
  const qualified = tokens[2]?.text === ".";
  const schema = qualified ? tokens[1]?.text.toLowerCase() : "main";
  // The temp schema allows no pragma; an unknown schema is SQLite's error, before any effect.
  if (schema === "temp") return false;
  if (schema !== "main") return true;
  const name = tokens[qualified ? 3 : 1];
  if (name?.kind !== "word" && name?.kind !== "quoted") return true; // a syntax error
  const rest = tokens.slice(qualified ? 4 : 2);
  const open = rest[0]?.text;
  if (open !== "=" && open !== "(") return allows(name.text, undefined);
  return allows(name.text, valueOf(code, open === "(" && rest.at(-1)?.text === ")" ? rest.slice(1, -1) : rest.slice(1)));
}

/** Whether pragma `name` may run with `value` (its argument as SQLite hands it over). */
function allows(name: string, value: string | undefined): boolean {
  switch (ALLOWED_PRAGMAS.get(name)) {
    case undefined:
      return false;
    case "any":
      return true;
    case "none":
      return value === undefined;
    case "boolean":
      return value === undefined || isBooleanWord(value);
    case "name":
      return value !== undefined && isAllowedName(value);
    case "optional name":
      return value === undefined || isAllowedName(value);
    case "optional number":
      return value === undefined || isInt32(value);
    case "optional number or name":
      return value === undefined || /^\+?\d+$/.test(value) || isAllowedName(value);
  }
}

/** An argument's text as SQLite passes it to the authorizer (strings unquoted, a minus sign kept). */
function valueOf(code: string, tokens: SqlToken[]): string | undefined {
  const [first, last] = [tokens[0], tokens.at(-1)];
  if (!first || !last) return undefined;
  if (tokens.length === 1 && (first.kind === "string" || first.kind === "quoted")) return first.text;
  const text = code.slice(first.offset, last.offset + last.text.length).replace(/\s+/g, "");
  return text.startsWith("+") ? text.slice(1) : text;
}

/** Index of the `)` closing the arguments that start at `from`. */
function argumentsEnd(tokens: SqlToken[], from: number): number {
  let depth = 0;
  for (let i = from; i < tokens.length; i++) {
    const text = tokens[i]!.kind === "other" ? tokens[i]!.text : "";
    if (text === "(") depth++;
    if (text === ")" && depth-- === 0) return i;
  }
  return tokens.length;
}

function notAuthorized(): SqliteError {
  return new SqliteError("not authorized", "SQLITE_AUTH");
}

function isBooleanWord(value: string): boolean {
  const quoted = value.length >= 2 && (value[0] === "'" || value[0] === '"') && value.at(-1) === value[0];
  const text = (quoted ? value.slice(1, -1) : value).toLowerCase();
  return BOOLEAN_WORDS.some((word) => text.startsWith(word));
}

/** kj's `tryParseAs<int32_t>`: decimal, hex (`0x`) or octal (`0`) digits, in range. */
function isInt32(value: string): boolean {
  const match = /^([+-]?)(0x[0-9a-f]+|0[0-7]*|[1-9]\d*)$/i.exec(value);
  if (!match) return false;
  const digits = match[2]!;
  const magnitude = /^0x/i.test(digits) ? parseInt(digits, 16) : /^0\d/.test(digits) ? parseInt(digits, 8) : Number(digits);
  const n = match[1] === "-" ? -magnitude : magnitude;
  return n >= -(2 ** 31) && n < 2 ** 31;
}
