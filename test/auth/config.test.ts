import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import configCommand from "../../src/cli/commands/config";
import { SETTING_KEYS } from "../../src/cli/auth/settings";
import { runCli, tempConfigHome } from "./helpers/cli";

const home = await tempConfigHome();
const configFile = join(home.dir, "dotdo", "config.json");
afterAll(() => home.cleanup());

const OVERRIDES = ["R2_ENDPOINT", "R2_BUCKET", "R2_ACCESS_KEY_ID", "R2_SECRET_ACCESS_KEY", "ICEBERG_CATALOG", "ICEBERG_WAREHOUSE", "WORKOS_AUTH_DOMAIN", "WORKOS_CLIENT_ID"];

beforeEach(async () => {
  vi.unstubAllEnvs();
  vi.stubEnv("XDG_CONFIG_HOME", home.dir);
  for (const name of OVERRIDES) vi.stubEnv(name, "");
  await writeFile(configFile, "{}").catch(() => undefined);
});

const config = (...args: string[]) => runCli(configCommand, args);
const SECRET = "s3cr3t-v4lue-that-must-not-leak";

describe("dotdo config", () => {
  it("sets, gets, lists and unsets keys in a 0600 file inside a 0700 folder", async () => {
    expect((await config("set", "storage.bucket", "my-bucket")).exitCode).toBe(0);
    expect((await config("get", "storage.bucket")).output).toEqual(["my-bucket"]);
    expect((await stat(configFile)).mode & 0o777).toBe(0o600);
    expect((await stat(join(home.dir, "dotdo"))).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(configFile, "utf8"))).toEqual({ "storage.bucket": "my-bucket" });

    const list = await config("list");
    expect(list.output).toHaveLength(SETTING_KEYS.length);
    expect(list.output).toContain("storage.bucket = my-bucket  [file]");
    expect(list.output).toContain("iceberg.catalog = (unset)");

    await config("unset", "storage.bucket");
    const missing = await config("get", "storage.bucket");
    expect(missing.exitCode).toBe(1);
    expect(missing.output).toEqual([]);
  });

  it("never prints a secret in full", async () => {
    const runs = [await config("set", "storage.secretAccessKey", SECRET), await config("get", "storage.secretAccessKey"), await config("list")];
    const printed = runs.flatMap((run) => run.lines).join("\n");
    expect(printed).not.toContain(SECRET);
    expect(printed).toContain("s3cr********");
    expect(JSON.parse(await readFile(configFile, "utf8"))["storage.secretAccessKey"]).toBe(SECRET);
  });

  it("masks credentials inside an endpoint URL wherever it prints it (probe finding 9)", async () => {
    const runs = [await config("set", "storage.endpoint", "https://operator:hunter2-secret@s3.example.com/"), await config("get", "storage.endpoint"), await config("list")];
    const printed = runs.flatMap((run) => run.lines).join("\n");
    expect(printed).not.toContain("hunter2-secret");
    expect(printed).not.toContain("operator");
    expect(printed).toContain("https://****:****@s3.example.com/");
  });

  it("lets the environment override the file, and says so", async () => {
    await config("set", "storage.endpoint", "https://file.example");
    vi.stubEnv("R2_ENDPOINT", "https://env.example");
    expect((await config("get", "storage.endpoint")).output).toEqual(["https://env.example"]);
    expect((await config("list")).output).toContain("storage.endpoint = https://env.example  [R2_ENDPOINT]");
    const set = await config("set", "storage.endpoint", "https://other.example");
    expect(set.lines.join("\n")).toContain("R2_ENDPOINT is set and overrides the file");
    vi.stubEnv("WORKOS_AUTH_DOMAIN", "https://auth.example");
    expect((await config("get", "auth.domain")).output).toEqual(["https://auth.example"]);
  });

  it("rejects unknown keys, listing the valid ones", async () => {
    const run = await config("set", "storage.region", "auto");
    expect(run.exitCode).toBe(1);
    expect(run.error).toMatchObject({ code: "CONFIG_KEY_INVALID" });
    expect(String((run.error as Error).message)).toContain(SETTING_KEYS.join(", "));
  });

  it("rejects a malformed endpoint and an empty value", async () => {
    expect((await config("set", "storage.endpoint", "not a url")).error).toMatchObject({ code: "CONFIG_KEY_INVALID" });
    expect((await config("set", "storage.endpoint", "ftp://x")).error).toMatchObject({ code: "CONFIG_KEY_INVALID" });
    expect((await config("set", "storage.bucket", "")).error).toMatchObject({ code: "CONFIG_KEY_INVALID" });
  });

  it("refuses to overwrite a damaged config file", async () => {
    await writeFile(configFile, "{ not json");
    const run = await config("set", "storage.bucket", "x");
    expect(run.error).toMatchObject({ code: "CONFIG_FILE_INVALID", message: expect.stringContaining(configFile) });
    expect(await readFile(configFile, "utf8")).toBe("{ not json");
  });
});
