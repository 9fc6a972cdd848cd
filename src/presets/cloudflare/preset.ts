import { definePreset } from "../define";
import { wrangler } from "../platform-clis";
import { wranglerJson } from "./templates/wrangler-json";

export default definePreset({
  name: "cloudflare",
  description: "Cloudflare Workers: native Durable Objects with SQLite, plus an R2 binding for Iceberg export",
  runtime: "cloudflare",
  files: { "wrangler.json": wranglerJson },
  commands: {
    preview: (ctx) => `npx wrangler dev --config ${ctx.outDirFromRoot}/wrangler.json`,
  },
  deploy: { steps: (ctx) => [{ cli: wrangler, args: ["deploy", "--config", `${ctx.outDirFromRoot}/wrangler.json`] }] },
});
