import { spawn } from "node:child_process";
import { defineCommand } from "citty";
import { consola } from "consola";
import { resolve } from "pathe";
import { findLastBuild } from "../../presets/build/last-build";
import { BuildError } from "../../presets/errors";

export default defineCommand({
  meta: { name: "preview", description: "Run the last build locally with its real runtime" },
  args: {
    root: { type: "string", description: "Project directory", default: "." },
    outDir: { type: "string", description: "Output directory of the build to run" },
  },
  async run({ args }) {
    const root = resolve(args.root);
    const { manifest } = await findLastBuild(root, args.outDir);
    const command = manifest.commands.preview;
    if (command === undefined) {
      throw new BuildError(`The ${manifest.preset} preset has no local preview${manifest.commands.deploy ? `; deploy it with: ${manifest.commands.deploy}` : ""}`);
    }
    consola.info(`${manifest.preset}: ${command}`);
    // `exec` replaces the shell with the server, and its own process group lets a signal reach
    // whatever the server starts (npx, wrangler), so it exits with the server's own status.
    const child = spawn(`exec ${command}`, { cwd: root, shell: true, stdio: "inherit", detached: true });
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.pid && process.kill(-child.pid, signal));
    process.exitCode = await new Promise<number>((done) => child.on("exit", (code, signal) => done(code ?? (signal ? 1 : 0))));
  },
});
