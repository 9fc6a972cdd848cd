/**
 * Keys that try to leave their scope, grouped by technique. Each must be refused as a key
 * (and, where it makes sense, as a list prefix) before any storage call is made.
 */
export const ESCAPE_KEYS: Record<string, string[]> = {
  "dot-dot": ["..", "../x", "a/../../x", "a/..", "./x", "a/./b", "...", "a/.../b", "do/../../t2/do/x/lock"],
  "percent-encoded": [
    "%2e%2e/x", "%2E%2E/x", "a%2f..%2fx", "..%2fx", "%2e%2e%2fx", "a%5c..%5cx",
    "%252e%252e/x", "%25252e%25252e%25252fx", "%c0%ae%c0%ae/x", "a/%00",
  ],
  absolute: ["/x", "//x", "/etc/passwd", "C:/x", "c:", "c:/windows"],
  backslash: ["..\\x", "a\\..\\..\\x", "\\x", "\\\\server\\share"],
  "control-character": ["a\u0000b", "a\nb", "a\rb", "a\tb", "a\u007fb", "a\u0085b", "..\u0000/x"],
  "unicode-lookalike": [
    "\uFF0E\uFF0E/x", // fullwidth full stops
    "..\uFF0Fx", // fullwidth solidus
    "..\u2215x", // division slash
    "..\u2044x", // fraction slash
    "..\u29F8x", // big solidus
    "..\uFF3Cx", // fullwidth reverse solidus
    "..\u2216x", // set minus
    "\u2024\u2024/x", // one dot leader
    "\u2025/x", // two dot leader
    "a\u200B/../x", // zero-width space
    "a\u202E/x", // right-to-left override
    "\uFEFF../x", // byte order mark
    "e\u0301/x", // decomposed é: not NFKC
    "\uFE52\uFE52/x", // small full stops
  ],
  "empty-segment": ["", "a//b", "a/", "a/b/", "/"],
  // Names that meet another on Windows (which drops trailing dots and spaces) or name a device
  // there, and names no file system takes (probe finding 7).
  "unportable-name": ["do/x/lock.", "do/x/lock ", "do./x/lock", "do/CON/lock", "do/x/nul.txt", "do/x/Com1", "do/x/LPT9.log", `do/${"x".repeat(256)}/lock`],
};

export const escapeCount = () => Object.values(ESCAPE_KEYS).reduce((sum, keys) => sum + keys.length, 0);
