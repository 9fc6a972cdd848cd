// The workerd surface that real apps and their libraries use, built from one fixture project
// (test/fixtures/workerd-surface) for cloudflare, node, bun and deno. The cloudflare output runs
// in workerd (miniflare) and passes wrangler's own checks; every server output must answer as
// workerd does, and fire an alarm stored before a restart without being asked.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { createServer as createTlsServer, TLSSocket } from "node:tls";
import { promisify } from "node:util";
import { Miniflare } from "miniflare";
import { join, resolve } from "pathe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUNCTION_DIR } from "./harness/edge-runtime";
import { buildFixture, type BuiltOutput } from "./harness/outputs";
import { startServer, type RunningServer } from "./harness/process";
import { SERVER_COMMANDS, SERVER_PRESET_NAMES, type ServerPresetName } from "./harness/server-commands";

const FIXTURE = resolve(import.meta.dirname, "../fixtures/workerd-surface");
const BIN = resolve(import.meta.dirname, "../../node_modules/.bin");

const SERVERS = SERVER_COMMANDS;
type ServerPreset = ServerPresetName;
const PRESETS = SERVER_PRESET_NAMES;

interface Target {
  output: BuiltOutput;
  server: RunningServer;
  start(): Promise<RunningServer>;
}

let workerd: { url: string; mf: Miniflare; output: BuiltOutput };
const targets = {} as Record<ServerPreset, Target>;
/** Local peers for cloudflare:sockets: plain echo, TLS echo, and STARTTLS then echo. */
const peers = { plain: 0, tls: 0, starttls: 0 };
const peerServers: Server[] = [];
let certFile: string;

async function startWorkerd(output: BuiltOutput) {
  const wrangler = JSON.parse(output.read("wrangler.json")) as {
    main: string;
    compatibility_date: string;
    compatibility_flags: string[];
    name: string;
    vars: Record<string, string>;
    durable_objects: { bindings: { name: string; class_name: string }[] };
    services: { binding: string; service: string; entrypoint?: string; props?: Record<string, unknown> }[];
  };
  // The generated wrangler.json, read the way wrangler hands it to workerd (wasm next to the bundle by wrangler's default rule).
  const mf = new Miniflare({
    name: wrangler.name,
    modules: true,
    scriptPath: join(output.copy, wrangler.main),
    modulesRoot: output.copy,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: wrangler.compatibility_date,
    compatibilityFlags: wrangler.compatibility_flags,
    bindings: wrangler.vars,
    durableObjects: Object.fromEntries(wrangler.durable_objects.bindings.map((b) => [b.name, { className: b.class_name, useSQLite: true }])),
    serviceBindings: Object.fromEntries(wrangler.services.map(({ binding, service, entrypoint, props }) => [binding, { name: service, ...(entrypoint && { entrypoint }), ...(props && { props }) }])),
    host: "127.0.0.1",
    port: 0,
  });
  const url = (await mf.ready).toString().replace(/\/$/, "");
  return { url, mf, output };
}

/** A throwaway certificate for `localhost`, which the servers under test are told to trust. */
async function localhostCertificate(dir: string): Promise<{ key: string; cert: string; certFile: string }> {
  const [keyFile, certFile] = [join(dir, "key.pem"), join(dir, "cert.pem")];
  const args = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"];
  await promisify(execFile)("openssl", args);
  return { key: readFileSync(keyFile, "utf8"), cert: readFileSync(certFile, "utf8"), certFile };
}

async function listen(server: Server): Promise<number> {
  peerServers.push(server);
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return (server.address() as { port: number }).port;
}

async function startPeers(): Promise<void> {
  const { key, cert, certFile: file } = await localhostCertificate(mkdtempSync(join(tmpdir(), "dotdo-tls-")));
  certFile = file;
  peers.plain = await listen(createServer((connection) => connection.on("data", (data) => connection.write(`echo:${data.toString()}`))));
  peers.tls = await listen(createTlsServer({ key, cert }, (connection) => connection.on("data", (data) => connection.write(`tls:${data.toString()}`))));
  peers.starttls = await listen(
    createServer((plain) =>
      plain.once("data", (data) => {
        if (data.toString() !== "STARTTLS") return void plain.end("NO");
        plain.write("OK", () => {
          const secure = new TLSSocket(plain, { isServer: true, key, cert });
          secure.on("data", (inner) => secure.write(`starttls:${inner.toString()}`));
        });
      }),
    ),
  );
}

beforeAll(async () => {
  await startPeers();
  workerd = await startWorkerd(await buildFixture("cloudflare", FIXTURE));
  for (const preset of PRESETS) {
    const output = await buildFixture(preset, FIXTURE);
    const start = () => {
      const { command, args } = SERVERS[preset](join("server", "index.mjs"));
      // Each runtime's way to trust an extra CA, for the TLS peers' certificate.
      return startServer(command, args, output.copy, { DOTDO_STORAGE: `file:${join(output.copy, "state")}`, NODE_EXTRA_CA_CERTS: certFile, DENO_CERT: certFile });
    };
    targets[preset] = { output, start, server: await start() };
  }
}, 120_000);

afterAll(async () => {
  await Promise.all(Object.values(targets).map((target) => target.server.stop()));
  await workerd?.mf.dispose();
  for (const output of [workerd?.output, ...Object.values(targets).map((target) => target.output)]) output?.remove();
  for (const server of peerServers) server.close();
});

const getJson = async (base: string, path: string, headers: Record<string, string> = {}) => {
  const response = await fetch(`${base}${path}`, { headers });
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json();
};

const pendingAlarmFiles = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : []);

/** Two clients in one room, partyserver style: each message reaches every open socket, tagged with its sender. */
async function roomTranscript(base: string): Promise<string[][]> {
  const join = (user: string) =>
    new Promise<{ socket: WebSocket; heard: string[] }>((resolve, reject) => {
      const socket = new WebSocket(`${base.replace(/^http/, "ws")}/room?user=${user}`);
      const heard: string[] = [];
      socket.addEventListener("message", (event) => heard.push(String(event.data)));
      socket.addEventListener("open", () => resolve({ socket, heard }));
      socket.addEventListener("error", () => reject(new Error(`${user} could not connect to ${base}`)));
    });
  const alice = await join("alice");
  const bob = await join("bob");
  alice.socket.send("hi");
  bob.socket.send("hello");
  for (const deadline = Date.now() + 10_000; (alice.heard.length < 2 || bob.heard.length < 2) && Date.now() < deadline; ) {
    await new Promise((done) => setTimeout(done, 20));
  }
  alice.socket.close();
  bob.socket.close();
  return [alice.heard.sort(), bob.heard.sort()];
}

describe("the cloudflare output", () => {
  it("is a config wrangler accepts, with the wasm module attached by wrangler's default rules", async () => {
    const { stdout } = await promisify(execFile)(join(BIN, "wrangler"), ["deploy", "--dry-run", "--config", "wrangler.json", "--outdir", join(workerd.output.copy, "dry-run")], {
      cwd: workerd.output.copy,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1" },
      timeout: 60_000,
    });
    expect(stdout).toMatch(/-add\.wasm\s*│\s*compiled-wasm/);
    expect(stdout).toContain("--dry-run: exiting now.");
  }, 90_000);
});

describe("the vercel-edge output", () => {
  it("builds: the wasm module stays a file Vercel compiles, Node's modules are left to the platform, sockets throw when used", async () => {
    const output = await buildFixture("vercel-edge", FIXTURE);
    try {
      const dir = join(output.copy, FUNCTION_DIR);
      const wasm = readdirSync(dir).find((name) => name.endsWith("-add.wasm"));
      expect(wasm).toBeDefined();
      const code = (readdirSync(dir, { recursive: true }) as string[]).filter((name) => name.endsWith(".mjs")).map((name) => readFileSync(join(dir, name), "utf8")).join("\n");
      expect(code).toContain(`from "./${wasm}?module"`);
      expect(code).toMatch(/from "node:path"/);
      expect(code).not.toMatch(/(from|import)\s*\(?\s*["']cloudflare:/);
      expect(code).toContain("TCP sockets (cloudflare:sockets connect) on this platform");
    } finally {
      output.remove();
    }
  });
});

describe.each(PRESETS)("the %s output answers as workerd does", (preset) => {
  const base = () => targets[preset].server.url;

  it.each(["/globals", "/modules", "/locale?lang=de", "/locale?lang=fr&kind=html", "/node", "/modules-cf", "/messages-cf", `/exports?probe=${preset}`])("%s", async (path) => {
    expect(await getJson(base(), path)).toEqual(await getJson(workerd.url, path));
  });

  it("connects a TCP socket with cloudflare:sockets", async () => {
    const path = `/socket?port=${peers.plain}&say=${preset}`;
    expect(await getJson(base(), path)).toEqual({ heard: `echo:${preset}` });
    expect(await getJson(workerd.url, path)).toEqual({ heard: `echo:${preset}` });
  });

  // workerd cannot be told to trust the test's certificate: these run on the server outputs only.
  // Node and Bun trust it through NODE_EXTRA_CA_CERTS; Deno's node:tls reads neither that nor
  // DENO_CERT, so there the handshake must get as far as refusing the unknown certificate.
  const tlsAnswer = (prefix: string) => (preset === "deno" ? { failed: "DEPTH_ZERO_SELF_SIGNED_CERT" } : { heard: `${prefix}:${preset}` });

  it("connects with TLS from the start (secureTransport: on)", async () => {
    expect(await getJson(base(), `/socket?host=localhost&port=${peers.tls}&tls=on&say=${preset}`)).toEqual(tlsAnswer("tls"));
  });

  it("upgrades a plain connection with startTls()", async () => {
    expect(await getJson(base(), `/socket?host=localhost&port=${peers.starttls}&tls=starttls&say=${preset}`)).toEqual(tlsAnswer("starttls"));
  });

  it("broadcasts in a room through WebSocket.prototype.serializeAttachment and READY_STATE_OPEN", async () => {
    const expected = [["alice: hi", "bob: hello"], ["alice: hi", "bob: hello"]];
    expect(await roomTranscript(workerd.url)).toEqual(expected);
    expect(await roomTranscript(base())).toEqual(expected);
  });

  it("throws UnsupportedFeatureError, naming the feature, only when a Cloudflare-only module is used", async () => {
    expect(await getJson(base(), "/unsupported")).toEqual({
      threw: true,
      code: "UNSUPPORTED_FEATURE",
      message: "Browser Rendering (cloudflare:br) is available only on Cloudflare; dotdo does not provide it off Cloudflare",
    });
  });

  it("fills request.cf and CF-Connecting-IP from the proxy's headers", async () => {
    const headers = {
      "x-vercel-ip-country": "BR",
      "x-vercel-ip-city": "S%C3%A3o%20Paulo",
      "x-vercel-ip-latitude": "-23.5",
      "x-vercel-ip-longitude": "-46.6",
      "fly-region": "gru",
      "x-forwarded-for": "203.0.113.7, 10.0.0.1",
    };
    expect(await getJson(base(), "/cf", headers)).toEqual({
      cf: { country: "BR", city: "São Paulo", latitude: "-23.5", longitude: "-46.6", colo: "GRU" },
      connectingIp: "203.0.113.7",
    });
  });

  it("fires an alarm stored before a restart, in the restarted process, without a request to its object", async () => {
    const target = targets[preset];
    const name = `restart-${preset}`;
    expect(await getJson(base(), `/remind?name=${name}&delay=1500`)).toEqual({ scheduled: true });
    expect(await target.server.stop(), target.server.output()).toBe(0);
    target.server = await target.start();
    const boot = ((await getJson(base(), "/log")) as { boot: string }).boot;
    let entries: { name: string; boot: string }[] = [];
    for (const deadline = Date.now() + 20_000; !entries.some((entry) => entry.name === name) && Date.now() < deadline; ) {
      await new Promise((done) => setTimeout(done, 100));
      entries = ((await getJson(base(), "/log")) as { entries: typeof entries }).entries;
    }
    expect(entries.filter((entry) => entry.name === name), target.server.output()).toEqual([{ name, boot }]);
    // Its entry in the store's alarm index goes once it has fired.
    const index = join(target.output.copy, "state", "alarms");
    for (const deadline = Date.now() + 10_000; pendingAlarmFiles(index).length > 0 && Date.now() < deadline; ) await new Promise((done) => setTimeout(done, 50));
    expect(pendingAlarmFiles(index)).toEqual([]);
  }, 60_000);
});
