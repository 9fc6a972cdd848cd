import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { extname, resolve, sep } from "node:path";
import { createAssets, type AssetFiles, type Assets, type AssetsOptions } from "../assets/assets";

/** A server output's static assets: the files in `directory`, routed per the `assets` block. */
export function directoryAssets(directory: string, options: AssetsOptions): Assets {
  return createAssets(assetFiles(directory), options);
}

/**
 * The asset files of a server output, read with node:fs (Node, Bun and Deno). A path that
 * would leave the directory (`..`, encoded or not) finds nothing. Each ETag (a hash of the
 * content and extension, as Cloudflare's) is computed once per version of a file (its size
 * and mtime), so files edited under `dotdo dev` are served fresh.
 */
export function assetFiles(directory: string): AssetFiles {
  const root = resolve(directory);
  const eTags = new Map<string, { version: string; eTag: Promise<string> }>();
  const fileOf = (path: string) => {
    const file = resolve(root, `.${path}`);
    return !path.includes("\0") && file.startsWith(root + sep) ? file : undefined;
  };
  return {
    async eTag(path) {
      const file = fileOf(path);
      const info = file === undefined ? undefined : await stat(file).catch(() => undefined);
      if (file === undefined || !info?.isFile()) return undefined;
      const version = `${info.size}:${info.mtimeMs}`;
      let known = eTags.get(file);
      if (known?.version !== version) {
        // With the extension, as Cloudflare's: the same bytes as .txt and .html are two assets of two types.
        known = { version, eTag: readFile(file).then((bytes) => createHash("sha256").update(bytes).update(extname(file)).digest("hex").slice(0, 32)) };
        eTags.set(file, known);
      }
      return known.eTag;
    },
    async read(path) {
      const file = fileOf(path);
      if (file === undefined) throw new Error(`dotdo: asset path ${path} is outside the assets directory`);
      return new Uint8Array(await readFile(file));
    },
  };
}
