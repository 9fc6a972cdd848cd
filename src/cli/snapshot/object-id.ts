import { existsSync } from "node:fs";
import { join } from "node:path";
import { IdScheme } from "../../runtime/namespace/id";
import { loadProject, WRANGLER_FILES } from "../../plugin/config/index";
import { SnapshotArgumentError } from "./errors";

export interface ObjectIdArgs {
  /** An id as printed by `dotdo snapshot objects` (`id.toString()`). */
  id?: string;
  /** The name given to `idFromName`. */
  name?: string;
  /** The class whose namespace minted the id, or a binding name from the project's wrangler config. */
  binding?: string;
  /** Project folder holding the wrangler config (default: the working directory). */
  root?: string;
}

/**
 * The object id the arguments name. Names become ids with the runtime's own scheme: a
 * namespace is keyed by its class name, so `--binding` is resolved to a class through the
 * project's wrangler config when it names a binding there.
 */
export async function resolveObjectId(args: ObjectIdArgs): Promise<string> {
  if (args.id !== undefined) {
    if (args.name !== undefined) throw new SnapshotArgumentError("give an object id or --name, not both");
    return checkedId(args.id);
  }
  if (args.name === undefined) throw new SnapshotArgumentError("name the object: an id (see `dotdo snapshot objects`) or --name NAME [--binding CLASS]");
  return new IdScheme(await namespaceKey(args.binding, args.root ?? process.cwd())).fromName(args.name).toString();
}

/** One key segment: ids are 64 hex digits in the runtime, compared in lower case. */
function checkedId(id: string): string {
  if (/^[0-9a-fA-F]{64}$/.test(id)) return id.toLowerCase();
  if (!/^[A-Za-z0-9_.~-]+$/.test(id) || /^\.+$/.test(id)) throw new SnapshotArgumentError(`${JSON.stringify(id)} is not an object id`);
  return id;
}

async function namespaceKey(binding: string | undefined, root: string): Promise<string> {
  const hasConfig = WRANGLER_FILES.some((file) => existsSync(join(root, file)));
  if (!hasConfig) {
    if (binding === undefined) throw new SnapshotArgumentError(`--name needs --binding CLASS: no wrangler config in ${root} to find the class in`);
    return binding;
  }
  const bindings = (await loadProject({ root })).durableObjects;
  if (binding === undefined) {
    const classes = [...new Set(bindings.map((b) => b.className))];
    if (classes.length === 1) return classes[0]!;
    throw new SnapshotArgumentError(
      `--name needs --binding: the project binds ${classes.length === 0 ? "no Durable Object class" : `several classes (${classes.join(", ")})`}`,
    );
  }
  return bindings.find((b) => b.name === binding)?.className ?? binding;
}
