import { join } from "pathe";
import { dotdoPackage } from "../plugin/package-paths";

/** dotdo's own code: `dist/` as installed, `src/` when the tests run from source. */
export function dotdoCodeDir(): string {
  const { root, fromSource } = dotdoPackage();
  return join(root, fromSource ? "src" : "dist");
}

/** The Nitro runtime plugin for a kind of platform, as built into dotdo. */
export function runtimePlugin(name: "server" | "edge"): string {
  return join(dotdoCodeDir(), "nitro/runtime", `${name}.${dotdoPackage().fromSource ? "ts" : "mjs"}`);
}
