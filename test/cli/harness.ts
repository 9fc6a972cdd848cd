import { runCommand } from "citty";
import { consola } from "consola";
import { afterEach, beforeEach, vi } from "vitest";
import { main } from "../../src/cli/index";

export interface CliRun {
  /** What the command printed, one entry a line: consola's as `type: message`, data as is. */
  output: string;
  exitCode: number;
}

/**
 * Runs `dotdo` in this process and records what it prints: consola's messages (the CLI's
 * channel for people) and stdout (its channel for data). Installs its hooks in the calling
 * file or describe block.
 */
export function recordCli(): (...rawArgs: string[]) => Promise<CliRun> {
  let out: string[] = [];
  beforeEach(() => {
    consola.mockTypes((type) => (...args: unknown[]) => out.push(`${type}: ${args.map(String).join(" ")}`));
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk).replace(/\n$/, ""));
      return true;
    });
  });
  afterEach(() => {
    consola.restoreAll();
    vi.restoreAllMocks();
    process.exitCode = 0;
  });
  return async (...rawArgs) => {
    process.exitCode = 0;
    out = [];
    await runCommand(main, { rawArgs });
    return { output: out.join("\n"), exitCode: Number(process.exitCode ?? 0) };
  };
}
