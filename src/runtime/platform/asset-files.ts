import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { resolve, sep } from "node:path";
import { createAssets, type AssetFiles, type Assets, type AssetsOptions } from "../assets/assets";

/** A server output's static assets: the files in `directory`, routed per the `assets` block. */
export function directoryAssets(directory: string, options: AssetsOptions): Assets {
  return createAssets(assetFiles(directory), options);
}

/**
 * The asset files of a server output, read with node:fs (Node, Bun and Deno). A path that
 * would leave the directory (`..`, encoded or not) finds nothing. The output's files do not
 * change while it runs, so each ETag (a content hash, as Cloudflare's) is computed once.
 */
export function assetFiles(directory: string): AssetFiles {
  const root = resolve(directory);
  const eTags = new Map<string, Promise<string | undefined>>();
  const fileOf = (path: string) => {
    const file = resolve(root, `.${path}`);
    return !path.includes("\0") && file.startsWith(root + sep) ? file : undefined;
  };
  const eTagOf = async (file: string) => {
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    return createHash("sha256").update(await readFile(file)).digest("hex").slice(0, 32);
  };
  return {
    eTag(path) {
      const file = fileOf(path);
      if (file === undefined) return Promise.resolve(undefined);
      let eTag = eTags.get(file);
      if (!eTag) eTags.set(file, (eTag = eTagOf(file)));
      return eTag;
    },
    async read(path) {
      const file = fileOf(path);
      if (file === undefined) throw new Error(`dotdo: asset path ${path} is outside the assets directory`);
      return new Uint8Array(await readFile(file));
    },
  };
}
