import { defineCommand } from "citty";
import { consola } from "consola";
import { relative } from "pathe";
import { deployablePresets, deployProject, type DeployResult } from "../deploy/index";
import type { DeployCheck } from "../deploy/checks";
import { printData } from "../output";
import { delayedProgress, PROGRESS_AFTER_MS } from "../progress";

export default defineCommand({
  meta: { name: "deploy", description: "Check the platform CLI and the storage settings, build, and deploy with the platform's own CLI" },
  args: {
    preset: { type: "string", description: `Target: ${deployablePresets().join(", ")}` },
    root: { type: "string", description: "Project directory holding the wrangler config", default: "." },
    outDir: { type: "string", description: "Output directory (default: the preset's)" },
    "dry-run": { type: "boolean", description: "Check and build, then print the commands and files instead of running the commands" },
    json: { type: "boolean", description: "Print the result (checks, files, commands) as JSON" },
  },
  async run({ args }) {
    const json = args.json === true;
    const progress = json ? undefined : delayedProgress(PROGRESS_AFTER_MS);
    const result = await deployProject({
      root: args.root,
      ...(args.preset === undefined ? {} : { preset: args.preset }),
      ...(args.outDir === undefined ? {} : { outDir: args.outDir }),
      dryRun: args["dry-run"] === true,
      stdoutToStderr: json,
      ...(progress ? { onProgress: progress.step } : {}),
      onCommand: (command) => {
        progress?.done();
        if (!json) consola.start(command.line);
      },
    }).finally(() => progress?.done());
    if (json) printData(JSON.stringify(toJson(result), null, 2));
    else if (result.dryRun) printPlan(result);
    else consola.success(`Deployed ${result.preset} from ${shortPath(result.outDir)}`);
  },
});

function printPlan(result: DeployResult): void {
  for (const check of result.checks) {
    if (check.error) consola.fail(`${check.name}: ${check.error.message} [${check.error.code}]`);
    else consola.success(`${check.name}${check.detail ? ` (${check.detail})` : ""}`);
  }
  consola.info(`Built ${result.preset} in ${shortPath(result.outDir)}:`);
  for (const file of result.files) printData(`  ${file}`);
  for (const warning of result.warnings) consola.warn(warning);
  consola.info(`Dry run: would run, from ${result.root}:`);
  for (const command of result.commands) printData(`  ${command.line}`);
}

function toJson(result: DeployResult) {
  return { ...result, checks: result.checks.map(checkJson) };
}

function checkJson({ error, ...check }: DeployCheck) {
  return error ? { ...check, error: { code: error.code, message: error.message } } : check;
}

const shortPath = (path: string) => relative(process.cwd(), path) || ".";
