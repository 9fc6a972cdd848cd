import { definePreset } from "../define";
import { DeployConfigError } from "../errors";
import { vercel } from "../platform-clis";
import { outputConfig, vcConfigEdge } from "./templates/build-output";

export default definePreset({
  name: "vercel-edge",
  description: "Vercel Edge Functions (Build Output API v3), sql.js wasm imported statically",
  runtime: "vercel-edge",
  entry: "handler",
  outDir: ".vercel/output",
  serverDir: "functions/index.func",
  files: {
    "config.json": outputConfig,
    "functions/index.func/.vc-config.json": vcConfigEdge,
  },
  deploy: {
    storage: "remote",
    steps: (ctx) => {
      // `vercel deploy --prebuilt` takes .vercel/output of the directory it runs in, nothing else.
      if (ctx.outDirFromRoot !== ".vercel/output") throw new DeployConfigError(`vercel deploy --prebuilt reads .vercel/output only; build into it (drop --outDir ${ctx.outDirFromRoot})`);
      return [{ cli: vercel, args: ["deploy", "--prebuilt"] }];
    },
  },
});
