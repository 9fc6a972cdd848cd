import { runCommand, type CommandDef } from "citty";
import { consola, LogLevels, type ConsolaReporter } from "consola";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vi } from "vitest";

export interface CliRun {
  /** Every message the command reported, as `type: text`. */
  lines: string[];
  /** What the command wrote to stdout as data, one entry per write. */
  output: string[];
  exitCode: number;
  error?: unknown;
}

/**
 * Runs a command module in-process, as citty would from the CLI index, and captures what it
 * reports through consola and the data it writes to stdout.
 */
export async function runCli(command: CommandDef<any>, rawArgs: string[], onLine?: (line: string) => void): Promise<CliRun> {
  const lines: string[] = [];
  const output: string[] = [];
  const reporter: ConsolaReporter = {
    log(entry) {
      const text = entry.args.map(String).join(" ");
      lines.push(`${entry.type}: ${text}`);
      onLine?.(text);
    },
  };
  const saved = { reporters: consola.options.reporters, level: consola.level, exitCode: process.exitCode };
  consola.setReporters([reporter]);
  consola.level = LogLevels.debug;
  process.exitCode = 0;
  const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    output.push(String(chunk).replace(/\n$/, ""));
    return true;
  });
  let error: unknown;
  try {
    await runCommand(command, { rawArgs });
  } catch (caught) {
    error = caught;
  } finally {
    write.mockRestore();
    consola.setReporters(saved.reporters);
    consola.level = saved.level;
  }
  const exitCode = error === undefined ? Number(process.exitCode ?? 0) : 1;
  process.exitCode = saved.exitCode;
  return { lines, output, exitCode, error };
}

/** A fresh XDG_CONFIG_HOME for one test file. */
export async function tempConfigHome(): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "dotdo-auth-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
