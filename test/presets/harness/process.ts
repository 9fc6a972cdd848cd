import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";

export interface RunningServer {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote, for failure messages. */
  output(): string;
  /** Sends SIGTERM (SIGKILL after `graceMs`, default 10 s) and resolves with the exit code (or the signal that ended it). */
  stop(graceMs?: number): Promise<number | NodeJS.Signals | null>;
}

/** A port that was free a moment ago: the servers under test take PORT from the environment. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  await new Promise((done) => server.close(done));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/**
 * Starts `command` in `cwd` with PORT (`port`, or a free one) and HOST set, and waits until
 * `readyPath` (dotdo's health endpoint by default) answers 200.
 * The child gets its own process group so that nothing it starts can outlive the test.
 */
export async function startServer(command: string, args: string[], cwd: string, env: Record<string, string> = {}, port?: number, readyPath = "/__dotdo/health"): Promise<RunningServer> {
  port ??= await freePort();
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals | null>((done) => child.once("exit", (code, signal) => done(code ?? signal)));
  const url = `http://127.0.0.1:${port}`;

  const server: RunningServer = {
    url,
    child,
    output: () => output,
    async stop(graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.pid && process.kill(-child.pid, "SIGKILL"), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };

  for (const deadline = Date.now() + 30_000; ; ) {
    if (child.exitCode !== null) throw new Error(`${command} ${args.join(" ")} exited with ${child.exitCode}:\n${output}`);
    const healthy = await fetch(`${url}${readyPath}`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return server;
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`${command} did not become healthy within 30 s:\n${output}`);
    }
    await new Promise((done) => setTimeout(done, 50));
  }
}
