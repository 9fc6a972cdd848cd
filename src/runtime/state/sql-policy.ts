import { SqliteError, SqlStorageError } from "../sqlite/errors";
import { tokenize, type SqlToken } from "../sqlite/sql-text";
import { RESERVED_PREFIX } from "./pragma-policy";

const TRANSACTION_WORDS = new Set(["BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"]);

// Functions workerd refuses to run, and SQLite functions newer than workerd's SQLite.
const REFUSED_FUNCTIONS = new Set(["sqlite_compileoption_get", "sqlite_compileoption_used", "sqlite_source_id", "sqlite_version"]);
const MISSING_FUNCTIONS = new Set([
  "fts3_tokenizer", "if", "json_array_insert", "jsonb_array_insert", "matchinfo", "offsets", "optimize",
  "unistr", "unistr_quote",
]);

// Words before a name that make `name(` a table, index or CTE rather than a function call.
const NOT_A_CALL_AFTER = new Set(["TABLE", "INTO", "REFERENCES", "ON", "INDEX", "EXISTS", "VIEW", "TRIGGER", "WITH", "RECURSIVE", "USING", "PRAGMA", "."]);

// Words (and the comma of a FROM list) after which a name is a table's.
const TABLE_BEFORE = new Set(["FROM", "JOIN", "INTO", "UPDATE", "TABLE", "EXISTS", "ON", "REFERENCES", ","]);

/** The only virtual table module workerd allows. */
const ALLOWED_MODULE = "fts5";

const TRANSACTION_MESSAGE =
  "To execute a transaction, please use the state.storage.transaction() or state.storage.transactionSync() APIs instead of the SQL BEGIN TRANSACTION or SAVEPOINT statements. The JavaScript API is safer because it will automatically roll back on exceptions, and because it interacts correctly with Durable Objects' automatic atomic write coalescing.";

/**
 * Refuses what workerd's authorizer refuses while preparing a statement, with its messages
 * (PRAGMA statements are judged before preparing: `checkPragmaBeforePrepare`): transaction control, ATTACH,
 * TEMP objects, VACUUM, virtual tables other than FTS5, a few functions (and
 * the SQLite functions newer than workerd's), and any use of the runtime's reserved `_cf_`
 * tables. `tableExists` tells a reserved table that exists (access refused) from one that
 * does not (SQLite's own error). Returns true when the statement passed on its text alone
 * (the verdict can be remembered).
 */
export function checkUserStatement(statement: string, tableExists: (name: string) => boolean): boolean {
  const tokens = tokenize(statement);
  const upper = (i: number) => (tokens[i]?.kind === "word" ? tokens[i]!.text.toUpperCase() : (tokens[i]?.text ?? ""));
  const first = upper(0);
  const start = tokens[0]?.offset ?? 0;
  if (TRANSACTION_WORDS.has(first)) throw new SqlStorageError("SQL_TRANSACTION", TRANSACTION_MESSAGE);
  if (first === "ATTACH" || first === "DETACH") throw notAuthorized();
  if (first === "VACUUM") throw new SqliteError("cannot VACUUM from within a transaction", "SQLITE_ERROR");
  if (first === "CREATE" && (upper(1) === "TEMP" || upper(1) === "TEMPORARY")) throw notAuthorized();
  if (first === "CREATE" && upper(1) === "VIRTUAL") {
    const using = tokens.findIndex((_token, i) => i > 2 && upper(i) === "USING");
    if (tokens[using + 1]?.text.toLowerCase() !== ALLOWED_MODULE) throw notAuthorized();
  }
  let textOnly = true;
  tokens.forEach((token, i) => {
    if (token.kind !== "word" && token.kind !== "quoted") return;
    const name = token.text.toLowerCase();
    if (isCall(tokens, i, upper)) checkFunction(name, token, start);
    if (!name.startsWith(RESERVED_PREFIX) || isQuotedValue(tokens, i, upper)) return;
    if (first === "CREATE" || first === "DROP" || first === "ALTER") throw notAuthorized();
    if (tableExists(token.text)) throw new SqliteError(`access to ${token.text}.key is prohibited`, "SQLITE_AUTH");
    textOnly = false;
  });
  return textOnly;
}

/**
 * A double-quoted name where no table can stand (`WHERE name != "_cf_KV"`): SQLite takes it
 * for a string, and workerd's authorizer never sees a table there.
 */
function isQuotedValue(tokens: SqlToken[], i: number, upper: (i: number) => string): boolean {
  return tokens[i]!.kind === "quoted" && tokens[i + 1]?.text !== "." && !TABLE_BEFORE.has(upper(i - 1));
}

function isCall(tokens: SqlToken[], i: number, upper: (i: number) => string): boolean {
  return tokens[i]!.kind === "word" && tokens[i + 1]?.text === "(" && !NOT_A_CALL_AFTER.has(upper(i - 1));
}

function checkFunction(name: string, token: SqlToken, start: number): void {
  const offset = token.offset - start;
  if (name === "load_extension") throw new SqliteError("not authorized", "SQLITE_ERROR");
  if (REFUSED_FUNCTIONS.has(name)) throw new SqliteError(`not authorized to use function: ${name} at offset ${offset}`, "SQLITE_ERROR");
  if (MISSING_FUNCTIONS.has(name)) throw new SqliteError(`no such function: ${name} at offset ${offset}`, "SQLITE_ERROR");
}

function notAuthorized(): SqliteError {
  return new SqliteError("not authorized", "SQLITE_AUTH");
}
