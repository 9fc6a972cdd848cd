import { posix } from "node:path";

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/**
 * Splits a Dockerfile into stages of instructions the way the Dockerfile frontend reads it:
 * comment lines dropped, backslash continuations joined, keywords case-insensitive. No Docker
 * engine runs here, so this is a lint-level reading, not a build.
 */
export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (pending === "" && (line === "" || line.startsWith("#"))) continue;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    logical.push(pending + line);
    pending = "";
  }
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword = "", args = ""] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args };
    if (instruction.keyword === "FROM") {
      const [from = "", as, name] = args.split(/\s+/);
      stages.push({ from, ...(as?.toUpperCase() === "AS" && name ? { name } : {}), instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`Dockerfile: ${instruction.keyword} before the first FROM`);
      stage.instructions.push(instruction);
    }
  }
  return stages;
}

/** Arguments of every instruction with this keyword in the stage. */
export function all(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);
}

/** The last instruction with this keyword wins, as in Docker (CMD, USER, WORKDIR, HEALTHCHECK). */
export function last(stage: Stage, keyword: string): string | undefined {
  return all(stage, keyword).at(-1);
}

/** The exec-form JSON array of CMD / ENTRYPOINT / HEALTHCHECK CMD; shell form is refused. */
export function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === "string")) throw new Error(`not an exec-form array: ${args}`);
  return parsed;
}

/** `ENV A=1 B=2` lines of a stage as one record (the `key=value` form only). */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const args of all(stage, "ENV")) {
    for (const [, key = "", value = ""] of args.matchAll(/(\w+)=("[^"]*"|\S*)/g)) env[key] = value.replace(/^"|"$/g, "");
  }
  return env;
}

/** Resolves a container path against the stage's WORKDIR at the end of the stage. */
export function inWorkdir(stage: Stage, path: string): string {
  return posix.resolve(last(stage, "WORKDIR") ?? "/", path);
}
