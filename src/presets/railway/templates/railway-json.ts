import type { PresetContext } from "../../define";
import { HEALTH_PATH } from "../../../plugin/targets";

export function railwayJson({ preset, outDirFromRoot }: PresetContext): object {
  return {
    $schema: "https://railway.com/railway.schema.json",
    build: { builder: "RAILPACK", buildCommand: "npx dotdo build --preset=railway" },
    deploy: {
      startCommand: `node ${outDirFromRoot}/${preset.serverDir}/index.mjs`,
      healthcheckPath: HEALTH_PATH,
      healthcheckTimeout: 30,
      restartPolicyType: "ON_FAILURE",
      restartPolicyMaxRetries: 5,
    },
  };
}
