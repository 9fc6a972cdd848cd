import { defineCommand } from "citty";
import { consola } from "consola";
import { settingsAsEnv } from "../auth/settings";
import { GatewayConfigError } from "../../gateway/errors";
import { startNodeGateway } from "../../gateway/start";

export default defineCommand({
  meta: { name: "gateway", description: "Serve the storage gateway: verifies each bearer JWT and confines it to its tenant's paths" },
  args: {
    port: { type: "string", description: "Port (default: PORT or 8787)" },
    host: { type: "string", description: "Address to bind (default: HOST or 127.0.0.1)" },
    audience: { type: "string", description: "Token audience to accept (default: DOTDO_GATEWAY_AUDIENCE)" },
  },
  async run({ args }) {
    const env: Record<string, string | undefined> = { ...process.env, ...(await settingsAsEnv()) };
    if (args.audience) env.DOTDO_GATEWAY_AUDIENCE = args.audience;
    const port = Number(args.port ?? env.PORT ?? 8787);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new GatewayConfigError(`port must be 0-65535, got ${args.port ?? env.PORT}`);
    const gateway = await startNodeGateway({
      env,
      port,
      host: args.host ?? env.HOST ?? "127.0.0.1",
      onError: (error) => consola.error(error),
    });
    consola.success(`Storage gateway for ${gateway.storeUrl} listening on ${gateway.url}`);
    await new Promise<void>((resolve) => {
      const stop = () => void gateway.close().then(resolve);
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
  },
});
