import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "pathe";
import { buildProject } from "../../src/presets/build/index";
import { startServer, type RunningServer } from "../presets/harness/process";

const LEDGER_APP = resolve(import.meta.dirname, "../fixtures/ledger");

/** The ledger fixture built with the node preset, copied away from the repository. */
export async function buildLedger(): Promise<{ dir: string; remove(): void }> {
  const scratch = mkdtempSync(join(tmpdir(), "dotdo-reliability-"));
  const build = await buildProject({ root: LEDGER_APP, preset: "node", outDir: join(scratch, "built") });
  const dir = join(scratch, "copy");
  cpSync(build.outDir, dir, { recursive: true });
  return { dir, remove: () => rmSync(scratch, { recursive: true, force: true }) };
}

/** The built ledger as a server process (its own process group, so kill -9 takes all of it). */
export function startLedger(dir: string, env: Record<string, string>, port?: number): Promise<RunningServer> {
  return startServer(process.execPath, [join("server", "index.mjs")], dir, { DOTDO_HOLDER: "ledger-host", ...env }, port);
}

/** kill -9 of the server's whole process group; resolves once it is gone. */
export async function killHard(server: RunningServer): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((done) => server.child.once("exit", done));
  process.kill(-server.child.pid!, "SIGKILL");
  await exited;
}

/**
 * `writers` concurrent clients, each adding fresh numbers to object `name` until `stop()`: the
 * numbers answered 200 are the acknowledged writes. Anything else (a 503, a reset connection)
 * is not acknowledged.
 */
export function writeLoad(url: string, name: string, writers: number, firstNumber: number) {
  let next = firstNumber;
  let running = true;
  const acknowledged: number[] = [];
  /** When each acknowledgement arrived (ms since epoch), in order. */
  const acknowledgedAt: number[] = [];
  /** Which replica held the object for each acknowledged write (the answer's `by`). */
  const servedBy: string[] = [];
  const refused = new Map<number, number>();
  const loops = Array.from({ length: writers }, async () => {
    while (running) {
      const n = next++;
      try {
        const response = await fetch(`${url}/add/${name}/${n}`, { method: "POST" });
        const body = await response.text();
        if (response.status === 200) {
          acknowledged.push(n);
          acknowledgedAt.push(Date.now());
          servedBy.push((JSON.parse(body) as { by: string }).by);
        }
        else refused.set(response.status, (refused.get(response.status) ?? 0) + 1);
      } catch {
        // The connection died with the server: not acknowledged.
        await new Promise((done) => setTimeout(done, 20));
      }
    }
  });
  return {
    acknowledged,
    acknowledgedAt,
    servedBy,
    refused,
    async stop(): Promise<void> {
      running = false;
      await Promise.all(loops);
    },
  };
}

/**
 * A WebSocket client of object `name` (`/ws/{name}`) that writes fresh numbers one at a time
 * (`add n`, acknowledged by `ok n`) until `stop()`. When its socket closes it records the code
 * and connects again, as a chat client would.
 */
export function socketLoad(url: string, name: string, firstNumber: number) {
  let next = firstNumber;
  let running = true;
  let current: WebSocket | undefined;
  const acknowledged: number[] = [];
  /** The codes of the closes this client did not ask for. */
  const closeCodes: number[] = [];
  const session = (socket: WebSocket) =>
    new Promise<number>((resolve) => {
      let pending = -1;
      const send = () => {
        if (!running) return socket.close(1000);
        pending = next++;
        socket.send(`add ${pending}`);
      };
      socket.addEventListener("open", send);
      socket.addEventListener("message", (event) => {
        if (event.data !== `ok ${pending}`) return;
        acknowledged.push(pending);
        send();
      });
      socket.addEventListener("close", (event) => resolve(event.code));
    });
  const loop = (async () => {
    while (running) {
      current = new WebSocket(`${url.replace(/^http/, "ws")}/ws/${name}`);
      const code = await session(current);
      if (!running) break;
      closeCodes.push(code);
      await new Promise((done) => setTimeout(done, 100));
    }
  })();
  return {
    acknowledged,
    closeCodes,
    async stop(): Promise<void> {
      running = false;
      current?.close(1000);
      // A close handshake a dying replica never answers is not worth waiting out (about 30 s).
      await Promise.race([loop, new Promise((done) => setTimeout(done, 5_000))]);
    },
  };
}

/** The acknowledged numbers a fresh server on the same store does not find in object `name`. */
export async function lostWrites(dir: string, env: Record<string, string>, acknowledged: readonly number[], name = "hot"): Promise<number[]> {
  const server = await startLedger(dir, env);
  try {
    const response = await fetch(`${server.url}/all/${name}`);
    if (response.status !== 200) throw new Error(`GET /all/${name}: ${response.status} ${await response.text()}\n${server.output().slice(-4_000)}`);
    const stored = new Set((await response.json()) as number[]);
    return acknowledged.filter((n) => !stored.has(n));
  } finally {
    await killHard(server);
  }
}
