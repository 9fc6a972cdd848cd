import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "pathe";

export const REPO = resolve(import.meta.dirname, "../..");
const FIXTURE = join(REPO, "test/fixtures/app");

/** Variables that would let the user's own settings, tokens or clusters into a test. */
const OUTSIDE_SETTINGS = [
  "R2_ENDPOINT", "R2_BUCKET", "R2_ACCESS_KEY_ID", "R2_SECRET_ACCESS_KEY", "DOTDO_STORAGE", "DOTDO_GATEWAY_URL", "JWT_TOKEN",
  "WORKOS_AUTH_DOMAIN", "WORKOS_CLIENT_ID", "CLOUDFLARE_API_TOKEN", "CLOUDFLARE_API_KEY", "CLOUDFLARE_EMAIL", "CLOUDFLARE_ACCOUNT_ID",
  "VERCEL_TOKEN", "FLY_API_TOKEN", "RAILWAY_TOKEN", "RAILWAY_API_TOKEN", "RENDER_API_KEY", "RENDER_SERVICE_ID", "KUBECONFIG", "DOCKER_HOST",
];

export interface Sandbox {
  /** A copy of the fixture Worker project. */
  root: string;
  /** A HOME of its own: dotdo's config and every CLI's login state start empty. */
  env: NodeJS.ProcessEnv;
  remove(): void;
}

/**
 * A fresh project and environment. `withNodeModules` links this repository's node_modules into
 * the project, as a project that has wrangler as a devDependency has it.
 */
export function sandbox(options: { withNodeModules?: boolean; env?: NodeJS.ProcessEnv } = {}): Sandbox {
  const scratch = mkdtempSync(join(tmpdir(), "dotdo-deploy-"));
  const root = join(scratch, "project");
  cpSync(FIXTURE, root, { recursive: true, filter: (source) => !/[\\/]\.(output|vercel|wrangler|dotdo)$/.test(source) });
  if (options.withNodeModules) symlinkSync(join(REPO, "node_modules"), join(root, "node_modules"), "dir");
  const home = join(scratch, "home");
  mkdirSync(home);
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, ".config"), WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" };
  for (const name of OUTSIDE_SETTINGS) delete env[name];
  return { root, env: { ...env, ...options.env }, remove: () => rmSync(scratch, { recursive: true, force: true }) };
}

/** S3 credentials as a deployed app is given them (their values are never contacted). */
export const S3_ENV = { R2_ENDPOINT: "https://example.r2.cloudflarestorage.com", R2_ACCESS_KEY_ID: "key-id", R2_SECRET_ACCESS_KEY: "secret-key" };

export interface FakeClis {
  /** A PATH holding only the fakes. */
  path: string;
  /** Every call: `cwd|name args…`, in order. */
  calls(): string[];
}

/**
 * Stand-ins for platform CLIs that cannot run here: no account, no daemon, no cluster. Each one
 * records its call and exits 0, or 3 with a message on stderr when `FAKE_CLI_FAIL` (a shell
 * pattern) matches `name args…`. They check nothing of the platform: the tests that use them
 * test dotdo's checks and the commands it runs, the commands' flags are tested against the
 * CLIs' documentation separately.
 */
export function fakeClis(dir: string, names: string[]): FakeClis {
  const bin = join(dir, "fake-bin");
  const log = join(dir, "fake-calls.log");
  mkdirSync(bin, { recursive: true });
  const script = `#!/bin/sh
printf '%s\\n' "$PWD|\${0##*/} $*" >> '${log}'
case "\${0##*/} $*" in
  $FAKE_CLI_FAIL) echo "fake \${0##*/}: refused $*" >&2; exit 3 ;;
esac
exit 0
`;
  for (const name of names) {
    writeFileSync(join(bin, name), script);
    chmodSync(join(bin, name), 0o755);
  }
  return { path: bin, calls: () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : []) };
}
