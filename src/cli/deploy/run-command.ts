import { spawn } from "node:child_process";

export interface CommandResult {
  status: number;
  /** The last line of stderr that names a problem (else the last line), without colours: enough to say why it failed. */
  lastErrorLine: string;
}

/**
 * Runs a platform CLI's check quietly. Its stdout is dropped unread: `wrangler auth token`
 * prints a credential there.
 */
export function runQuietly(file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "ignore", "pipe"], timeout: options.timeoutMs ?? 60_000 });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-4096);
    });
    const done = (status: number, extra = "") => resolve({ status, lastErrorLine: lastLine(`${stderr}\n${extra}`) });
    child.on("error", (error) => done(127, error.message));
    child.on("close", (code, signal) => done(code ?? 1, signal ? `stopped by ${signal}` : ""));
  });
}

/** Runs a deploy step with the terminal attached; with `stdoutToStderr` its output stays off stdout (for --json). */
export function runAttached(file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; stdoutToStderr: boolean }): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ["inherit", options.stdoutToStderr ? process.stderr : "inherit", "inherit"] });
    child.on("error", () => resolve(127));
    child.on("close", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** Words of a line that says what went wrong, as opposed to where the logs went. */
const PROBLEM = /\b(error|not|no|fail\w*|denied|refused|unauthori[sz]ed|invalid|expired|unable|cannot)\b/i;

function lastLine(text: string): string {
  const lines = text.replace(/\x1b\[[0-9;]*m/g, "").split("\n").map((line) => line.trim()).filter(Boolean);
  const line = lines.findLast((candidate) => PROBLEM.test(candidate)) ?? lines.at(-1) ?? "";
  return line.length > 240 ? `${line.slice(0, 240)}…` : line;
}
