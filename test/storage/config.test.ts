import { readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { singleInstanceFromEnv, storeConfigFromEnv } from "../../src/runtime/storage/config";
import { createStore } from "../../src/runtime/storage/create";
import { detectProvider } from "../../src/runtime/storage/s3-provider";
import { tempDirs } from "./temp-dir";

const newDir = tempDirs();

describe("storeConfigFromEnv", () => {
  it("defaults to the .dotdo folder", () => {
    expect(storeConfigFromEnv({})).toEqual({ kind: "file", root: ".dotdo" });
    expect(storeConfigFromEnv({ DOTDO_STORAGE: "  " })).toEqual({ kind: "file", root: ".dotdo" });
  });

  it("reads file: URLs and plain paths", () => {
    expect(storeConfigFromEnv({ DOTDO_STORAGE: "file:/srv/state" })).toEqual({ kind: "file", root: "/srv/state" });
    expect(storeConfigFromEnv({ DOTDO_STORAGE: "file:///srv/my%20state" })).toEqual({
      kind: "file",
      root: "/srv/my state",
    });
    expect(storeConfigFromEnv({ DOTDO_STORAGE: "file:data" })).toEqual({ kind: "file", root: "data" });
    expect(storeConfigFromEnv({ DOTDO_STORAGE: "./data" })).toEqual({ kind: "file", root: "./data" });
    expect(storeConfigFromEnv({ DOTDO_STORAGE: "C:\\state" })).toEqual({ kind: "file", root: "C:\\state" });
    expect(storeConfigFromEnv({ DOTDO_STORAGE: "memory:" })).toEqual({ kind: "memory" });
  });

  it("reads s3://bucket/prefix with the AWS variables", () => {
    expect(
      storeConfigFromEnv({
        DOTDO_STORAGE: "s3://state/apps/one",
        AWS_ENDPOINT_URL: "http://127.0.0.1:9000",
        AWS_ACCESS_KEY_ID: "id",
        AWS_SECRET_ACCESS_KEY: "secret",
        AWS_SESSION_TOKEN: "token",
        AWS_REGION: "eu-west-1",
        DOTDO_S3_FORCE_PATH_STYLE: "false",
        DOTDO_S3_PROVIDER: "minio",
      }),
    ).toEqual({
      kind: "s3",
      bucket: "state",
      prefix: "apps/one",
      endpoint: "http://127.0.0.1:9000",
      region: "eu-west-1",
      forcePathStyle: false,
      credentials: { accessKeyId: "id", secretAccessKey: "secret", sessionToken: "token" },
      provider: "minio",
    });
  });

  it("prefers the R2_* variables and uses them alone", () => {
    const r2 = {
      R2_ENDPOINT: "acct.r2.cloudflarestorage.com",
      R2_ACCESS_KEY_ID: "r2id",
      R2_SECRET_ACCESS_KEY: "r2secret",
      R2_BUCKET: "objects",
      AWS_ACCESS_KEY_ID: "ignored",
      AWS_SECRET_ACCESS_KEY: "ignored",
    };
    expect(storeConfigFromEnv(r2)).toMatchObject({
      kind: "s3",
      bucket: "objects",
      prefix: undefined,
      endpoint: "https://acct.r2.cloudflarestorage.com",
      region: "auto",
      credentials: { accessKeyId: "r2id", secretAccessKey: "r2secret" },
    });
    // DOTDO_STORAGE names the bucket when both are set.
    expect(storeConfigFromEnv({ ...r2, DOTDO_STORAGE: "s3://other/p" })).toMatchObject({
      bucket: "other",
      prefix: "p",
    });
  });

  it("explains what is wrong with a bad configuration", () => {
    const bad: Array<[Record<string, string>, RegExp]> = [
      [{ DOTDO_STORAGE: "s3://" }, /names no bucket/],
      [{ DOTDO_STORAGE: "gs://bucket" }, /unknown scheme/],
      [{ DOTDO_STORAGE: "file:" }, /names no folder/],
      [{ R2_BUCKET: "b" }, /R2_ENDPOINT/],
      [{ DOTDO_STORAGE: "s3://b", R2_ACCESS_KEY_ID: "id" }, /R2_SECRET_ACCESS_KEY/],
      [{ DOTDO_STORAGE: "s3://b", DOTDO_S3_PROVIDER: "b2" }, /DOTDO_S3_PROVIDER=b2/],
    ];
    for (const [env, message] of bad) {
      expect(() => storeConfigFromEnv(env), JSON.stringify(env)).toThrow(message);
      expect(() => storeConfigFromEnv(env)).toThrow(expect.objectContaining({ code: "STORAGE_CONFIG_INVALID" }));
    }
  });

  it("uses a storage gateway when the app holds only a JWT", () => {
    const gateway = { kind: "gateway", url: "https://gw.example", token: "t.o.k" };
    expect(storeConfigFromEnv({ JWT_TOKEN: "t.o.k", DOTDO_GATEWAY_URL: "https://gw.example" })).toEqual(gateway);
    expect(storeConfigFromEnv({ JWT_TOKEN: "t.o.k", DOTDO_STORAGE: "https://gw.example" })).toEqual(gateway);
    expect(() => storeConfigFromEnv({ JWT_TOKEN: "t.o.k" })).toThrow(/set DOTDO_GATEWAY_URL/);
    expect(() => storeConfigFromEnv({ DOTDO_STORAGE: "https://gw.example" })).toThrow(/set JWT_TOKEN/);
    // A bearer token never crosses a network in clear.
    expect(() => storeConfigFromEnv({ JWT_TOKEN: "t", DOTDO_GATEWAY_URL: "http://gw.example" })).toThrow(/must use https/);
    expect(storeConfigFromEnv({ JWT_TOKEN: "t", DOTDO_GATEWAY_URL: "http://127.0.0.1:8787" }).kind).toBe("gateway");
    // Bucket credentials, when present, win over the gateway.
    expect(storeConfigFromEnv({ JWT_TOKEN: "t", R2_BUCKET: "b", R2_ENDPOINT: "https://r2.example" }).kind).toBe("s3");
  });

  it("reads single-instance mode", () => {
    expect(singleInstanceFromEnv({})).toBe(false);
    expect(singleInstanceFromEnv({ DOTDO_SINGLE_INSTANCE: "1" })).toBe(true);
    expect(singleInstanceFromEnv({ DOTDO_SINGLE_INSTANCE: "true" })).toBe(true);
    expect(singleInstanceFromEnv({ DOTDO_SINGLE_INSTANCE: "0" })).toBe(false);
  });

  it("ignores values that are not strings, such as Worker bindings", () => {
    expect(storeConfigFromEnv({ DOTDO_STORAGE: { get() {} }, R2_BUCKET: 1 })).toEqual({ kind: "file", root: ".dotdo" });
  });
});

describe("detectProvider", () => {
  it("recognises providers by endpoint", () => {
    expect(detectProvider(undefined)).toBe("aws");
    expect(detectProvider("https://acct.r2.cloudflarestorage.com")).toBe("r2");
    expect(detectProvider("https://fly.storage.tigris.dev")).toBe("tigris");
    expect(detectProvider("https://t3.storage.dev")).toBe("tigris");
    expect(detectProvider("https://storage.googleapis.com")).toBe("gcs");
    expect(detectProvider("https://s3.eu-west-1.amazonaws.com")).toBe("aws");
    expect(detectProvider("http://127.0.0.1:9000")).toBe("other");
    expect(detectProvider("https://mystorage.dev")).toBe("other");
  });
});

describe("createStore", () => {
  it("opens a file store at a relative DOTDO_STORAGE path, under the working directory", async () => {
    const dir = await newDir();
    const store = await createStore({ DOTDO_STORAGE: relative(process.cwd(), dir) });
    expect(store.url).toBe(`file://${dir}`);
    await store.put("k", new TextEncoder().encode("v"), { ifNoneMatch: "*" });
    expect(await readFile(join(dir, "k"), "utf8")).toBe("v");
  });

  it("refuses an S3 endpoint that is not a URL", async () => {
    await expect(createStore({ DOTDO_STORAGE: "s3://b", AWS_ENDPOINT_URL: "http://" })).rejects.toMatchObject({
      code: "STORAGE_CONFIG_INVALID",
    });
  });

  it("builds a store from a config object", async () => {
    const store = await createStore({ kind: "memory", name: "cfg" });
    expect(store.url).toBe("memory://cfg");
    await store.put("k", new TextEncoder().encode("v"));
    expect(await store.head("k")).toMatchObject({ size: 1 });
  });
});
