import { defineCommand } from "citty";
import { consola } from "consola";
import { startDev } from "../../presets/build/dev";

export default defineCommand({
  meta: { name: "dev", description: "Run the Worker on Node with dotdo's runtime, rebuilding on every change" },
  args: {
    root: { type: "string", description: "Project directory", default: "." },
    port: { type: "string", description: "Port to listen on (default: PORT, else 3000)" },
    host: { type: "string", description: "Host to bind (default: HOST, else 127.0.0.1)" },
  },
  async run({ args }) {
    const port = Number(args.port ?? process.env.PORT ?? 3000);
    const host = args.host ?? process.env.HOST ?? "127.0.0.1";
    const dev = await startDev({
      root: args.root,
      port,
      host,
      onRebuild: (errors) => {
        if (errors.length === 0) consola.success(`Serving on http://${host}:${port}`);
        else for (const error of errors) consola.error(error.text);
      },
      onCustomBuildError: (error) => consola.error(error.message),
    });
    await new Promise<void>((done) => {
      for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void dev.close().then(done));
    });
  },
});
