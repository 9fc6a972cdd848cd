import { SqliteError, SqlStorageError } from "../sqlite/errors";
import { tokenize } from "../sqlite/sql-text";

/** Tables whose names start with this belong to the runtime, as in workerd. */
export const RESERVED_PREFIX = "_cf_";

const TRANSACTION_WORDS = new Set(["BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"]);

// The pragmas workerd lets user SQL run; everything else is "not authorized".
const ALLOWED_PRAGMAS = new Set([
  "data_version", "defer_foreign_keys", "foreign_keys", "foreign_key_check", "foreign_key_list",
  "index_info", "index_list", "index_xinfo", "legacy_alter_table", "optimize", "quick_check",
  "table_info", "table_list", "table_xinfo",
]);

const TRANSACTION_MESSAGE =
  "To execute a transaction, please use the state.storage.transaction() or state.storage.transactionSync() APIs instead of the SQL BEGIN TRANSACTION or SAVEPOINT statements. The JavaScript API is safer because it will automatically roll back on exceptions, and because it interacts correctly with Durable Objects' automatic atomic write coalescing.";

/**
 * Refuses what workerd refuses in user SQL: transaction control, ATTACH, most pragmas,
 * VACUUM, and any use of the runtime's reserved `_cf_` tables. `tableExists` tells a
 * reserved table that exists (access refused) from one that does not (SQLite's own error).
 * Returns true when the statement passed on its text alone (the verdict can be remembered).
 */
export function checkUserStatement(statement: string, tableExists: (name: string) => boolean): boolean {
  const tokens = tokenize(statement);
  const first = tokens[0]?.kind === "word" ? tokens[0].text.toUpperCase() : "";
  if (TRANSACTION_WORDS.has(first)) throw new SqlStorageError("SQL_TRANSACTION", TRANSACTION_MESSAGE);
  if (first === "ATTACH" || first === "DETACH") throw notAuthorized();
  if (first === "VACUUM") throw new SqliteError("cannot VACUUM from within a transaction", "SQLITE_ERROR");
  if (first === "PRAGMA") {
    const nameAt = tokens[2]?.text === "." ? 3 : 1;
    const name = tokens[nameAt]?.text.toLowerCase() ?? "";
    if (!ALLOWED_PRAGMAS.has(name)) throw notAuthorized();
  }
  let textOnly = true;
  for (const token of tokens) {
    if ((token.kind !== "word" && token.kind !== "quoted") || !token.text.toLowerCase().startsWith(RESERVED_PREFIX)) continue;
    if (first === "CREATE" || first === "DROP" || first === "ALTER") throw notAuthorized();
    if (tableExists(token.text)) {
      throw new SqliteError(`access to ${token.text}.key is prohibited`, "SQLITE_AUTH");
    }
    textOnly = false;
  }
  return textOnly;
}

function notAuthorized(): SqliteError {
  return new SqliteError("not authorized", "SQLITE_AUTH");
}
