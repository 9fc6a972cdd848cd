import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { tempConfigHome } from "./helpers/cli";

/** The auth commands through the real CLI entry in a separate process (run from source by jiti). */
const ROOT = resolve(import.meta.dirname, "../..");
const home = await tempConfigHome();
afterAll(() => home.cleanup());

async function dotdo(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, XDG_CONFIG_HOME: home.dir, CONSOLA_LEVEL: "3", R2_BUCKET: "", R2_SECRET_ACCESS_KEY: "" };
  const command = [resolve(ROOT, "node_modules/jiti/lib/jiti-cli.mjs"), resolve(ROOT, "test/gateway/helpers/cli-entry.ts"), ...args];
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, command, { cwd: ROOT, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("dotdo auth commands as a process", () => {
  it("stores and prints settings, masking secrets", async () => {
    expect((await dotdo("config", "set", "storage.bucket", "my-bucket")).code).toBe(0);
    expect((await dotdo("config", "get", "storage.bucket")).stdout.trim()).toBe("my-bucket");
    await dotdo("config", "set", "storage.secretAccessKey", "very-secret-value-123");
    const all = await dotdo("config", "list");
    expect(all.stdout + all.stderr).not.toContain("very-secret-value-123");
    expect(all.stdout).toContain("storage.secretAccessKey = very********");
  });

  it("exits 1 with the typed error for an unknown key and when not logged in", async () => {
    const unknown = await dotdo("config", "set", "storage.region", "auto");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr + unknown.stdout).toContain("[CONFIG_KEY_INVALID]");
    const token = await dotdo("token");
    expect(token.code).toBe(1);
    expect(token.stderr + token.stdout).toContain("Not logged in. Run `dotdo login`. [NOT_LOGGED_IN]");
  });
});
