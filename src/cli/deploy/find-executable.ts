import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";

/** The directories a project's tools are looked up in: its own `node_modules/.bin` first, as npx does. */
export function toolPath(root: string, env: Record<string, string | undefined>): string {
  return [join(root, "node_modules", ".bin"), env.PATH ?? ""].join(delimiter);
}

/** The absolute path of `bin` on `path`, or undefined. */
export function findExecutable(bin: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, bin);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
