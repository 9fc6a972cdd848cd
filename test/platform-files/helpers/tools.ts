import { spawnSync } from "node:child_process";

export interface ToolRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface Tool {
  command: string;
  available: boolean;
  /** Why the cases that need it are skipped; printed once when the tool is missing. */
  skipReason: string;
}

export function runTool(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): ToolRun {
  const result = spawnSync(command, args, { encoding: "utf8", timeout: options.timeout ?? 30_000, cwd: options.cwd, env: options.env ?? process.env });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Looks for a real validator on this machine. A missing one skips only the cases that need it,
 * with the reason printed, so a run without it never passes silently.
 */
export function findTool(command: string, probeArgs: string[], purpose: string): Tool {
  const probe = spawnSync(command, probeArgs, { encoding: "utf8", timeout: 15_000 });
  const available = probe.error === undefined && probe.status === 0;
  const skipReason = `${command} is not installed here: skipping ${purpose}`;
  if (!available) console.warn(`SKIPPED: ${skipReason}`);
  return { command, available, skipReason };
}
