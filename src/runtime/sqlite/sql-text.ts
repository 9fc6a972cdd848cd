/** A lexical token of SQL text: enough to classify statements without a full parser. */
export interface SqlToken {
  /** `word` is a bare keyword or name; `quoted` a "quoted", [bracketed] or `backticked` name. */
  readonly kind: "word" | "quoted" | "string" | "other";
  /** For names, the name itself (unquoted); otherwise the raw text. */
  readonly text: string;
  readonly offset: number;
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;

/** Splits SQL into tokens, skipping whitespace and comments. */
export function tokenize(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? sql.length : end + 1;
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end === -1 ? sql.length : end + 2;
    } else if (c === "'" || c === '"' || c === "`" || c === "[") {
      const close = c === "[" ? "]" : c;
      let j = i + 1;
      let text = "";
      for (; j < sql.length; j++) {
        if (sql[j] === close) {
          if (close !== "]" && sql[j + 1] === close) {
            text += close;
            j++;
            continue;
          }
          break;
        }
        text += sql[j];
      }
      tokens.push({ kind: c === "'" ? "string" : "quoted", text, offset: i });
      i = j + 1;
    } else if (WORD_START.test(c)) {
      let j = i + 1;
      while (j < sql.length && WORD_PART.test(sql[j]!)) j++;
      tokens.push({ kind: "word", text: sql.slice(i, j), offset: i });
      i = j;
    } else {
      tokens.push({ kind: "other", text: c, offset: i });
      i++;
    }
  }
  return tokens;
}

/**
 * The tokens of the first statement, up to its `;`. A `;` ends a statement except inside a
 * trigger's `BEGIN ... END` body, as for SQLite's `sqlite3_complete()`.
 */
export function firstStatement(tokens: SqlToken[]): SqlToken[] {
  const word = (i: number) => (tokens[i]?.kind === "word" ? tokens[i]!.text.toUpperCase() : "");
  const temp = word(1) === "TEMP" || word(1) === "TEMPORARY";
  let inBody = word(0) === "CREATE" && word(temp ? 2 : 1) === "TRIGGER" ? false : undefined;
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]!.text !== ";" || tokens[i]!.kind !== "other") {
      if (inBody === false && word(i) === "BEGIN") inBody = true;
      continue;
    }
    if (inBody !== true || word(i - 1) === "END") return tokens.slice(0, i);
  }
  return tokens;
}

/**
 * `text` less its leading whitespace (C's `isspace`), as workerd skips it after each
 * statement of a multi-statement exec. What is left, even a lone comment or `;`, is taken
 * as one more statement, and SQL code that then holds none fails with "did not contain a
 * statement".
 */
export function skipSpace(text: string): string {
  return text.replace(/^[ \t\n\v\f\r]+/, "");
}

/** Offsets of the parameters (`?`, `?NNN`, `:name`, `@name`, `$name`) in `sql`, in order. */
export function parameterOffsets(sql: string): number[] {
  const tokens = tokenize(sql);
  return tokens
    .filter((token, i) => {
      if (token.kind !== "other") return false;
      if (token.text === "?") return true;
      const next = tokens[i + 1];
      return ":@$".includes(token.text) && next?.kind === "word" && next.offset === token.offset + 1;
    })
    .map((token) => token.offset);
}

/** Whitespace and comments before a statement's first keyword. */
const LEADING = String.raw`^(?:\s|--[^\n]*(?:\n|$)|\/\*[\s\S]*?(?:\*\/|$))*`;
const STARTS_WITH_PRAGMA = new RegExp(`${LEADING}pragma\\b`, "i");
const STARTS_WITH_ROW_STATEMENT = new RegExp(`${LEADING}(?:select|insert|update|delete|replace|with|values)\\b`, "i");

/** Whether the first statement of `sql` is a PRAGMA. */
export function isPragma(sql: string): boolean {
  return STARTS_WITH_PRAGMA.test(sql);
}

/** Whether the first statement of `sql` reads or writes rows only, and so cannot change the schema. */
export function isRowStatement(sql: string): boolean {
  return STARTS_WITH_ROW_STATEMENT.test(sql);
}

/** Offset of the first token, past whitespace and comments. */
export function statementStart(sql: string): number {
  return tokenize(sql)[0]?.offset ?? 0;
}

/** Length of `text` in UTF-8 bytes, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code < 0xdc00 && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
