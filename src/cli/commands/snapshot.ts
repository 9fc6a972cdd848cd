import { defineCommand } from "citty";
import { consola } from "consola";
import { printData } from "../output";
import { expireObject, listObjectSnapshots, restoreObject, type LeaseWaitOptions } from "../snapshot/admin";
import { exportObjects, importObjects } from "../snapshot/archive";
import { SnapshotArgumentError } from "../snapshot/errors";
import { formatBytes, objectLines, snapshotLines } from "../snapshot/format";
import { resolveObjectId } from "../snapshot/object-id";
import { listObjects } from "../snapshot/objects";
import { parseDuration, parseKeep, parseSequence, parseTime } from "../snapshot/parse";
import { openStore } from "../snapshot/store";

const storageArg = {
  storage: { type: "string", description: "Store URL (file:/path, s3://bucket/prefix, gateway https URL); default: DOTDO_STORAGE, R2_*, or .dotdo/" },
} as const;

const objectArgs = {
  id: { type: "positional", required: false, description: "Object id (see `dotdo snapshot objects`)" },
  name: { type: "string", description: "The object's idFromName name instead of its id" },
  binding: { type: "string", description: "With --name: the Durable Object class, or its binding in the wrangler config" },
} as const;

const jsonArg = { json: { type: "boolean", description: "Print JSON" } } as const;

const forceArg = {
  force: { type: "boolean", description: "If another process holds the object's lease, wait for it to expire instead of refusing" },
} as const;

const leaseOptions = (force: boolean | undefined): LeaseWaitOptions => ({
  force: force === true,
  onWait: (holder, expiresAt) => consola.info(`Waiting for the lease of ${holder} to expire at ${new Date(expiresAt).toISOString()}`),
});

const objects = defineCommand({
  meta: { name: "objects", description: "List the objects that have state in the store" },
  args: { ...storageArg, ...jsonArg },
  async run({ args }) {
    const found = await listObjects(await openStore(args.storage));
    if (args.json) printData(JSON.stringify(found, null, 2));
    else if (found.length === 0) consola.info("No objects in the store");
    else for (const line of objectLines(found)) printData(line);
  },
});

const list = defineCommand({
  meta: { name: "list", description: "List an object's checkpoints: sequence, time, lease generation, tables and rows" },
  args: { ...objectArgs, ...storageArg, ...jsonArg },
  async run({ args }) {
    const id = await resolveObjectId(args);
    const snapshots = await listObjectSnapshots(await openStore(args.storage), id);
    if (args.json) printData(JSON.stringify(snapshots, null, 2));
    else for (const line of snapshotLines(snapshots)) printData(line);
  },
});

const restore = defineCommand({
  meta: { name: "restore", description: "Make an earlier checkpoint the object's newest state (a new checkpoint on top; history is kept)" },
  args: {
    ...objectArgs,
    seq: { type: "string", description: "Checkpoint sequence number to restore" },
    at: { type: "string", description: "Restore the newest checkpoint made at or before this ISO 8601 time" },
    ...forceArg,
    ...storageArg,
  },
  async run({ args }) {
    if ((args.seq === undefined) === (args.at === undefined)) throw new SnapshotArgumentError("give exactly one of --seq N or --at ISO-TIME");
    const target = args.seq === undefined ? { asOf: parseTime(args.at!) } : { sequence: parseSequence(args.seq) };
    const id = await resolveObjectId(args);
    const { from, committed } = await restoreObject(await openStore(args.storage), id, target, leaseOptions(args.force));
    const source = `checkpoint ${from.sequence} (${new Date(from.timestampMs).toISOString()})`;
    if (committed === null) consola.info(`${source} already is the newest state of ${id}: nothing to do`);
    else consola.success(`Restored ${id} to ${source}: committed as checkpoint ${committed.sequence} (lease generation ${committed.generation}); earlier checkpoints are kept`);
  },
});

const expire = defineCommand({
  meta: { name: "expire", description: "Delete old checkpoints (never the newest) and the files only they use" },
  args: {
    ...objectArgs,
    keep: { type: "string", description: "Keep at most the newest N checkpoints" },
    "older-than": { type: "string", description: "Delete checkpoints older than this (90s, 15m, 12h, 7d, 2w)" },
    ...forceArg,
    ...storageArg,
  },
  async run({ args }) {
    const olderThan = args["older-than"];
    if (args.keep === undefined && olderThan === undefined) throw new SnapshotArgumentError("give --keep N, --older-than DURATION, or both");
    const policy = {
      ...(args.keep === undefined ? {} : { keepLast: parseKeep(args.keep) }),
      ...(olderThan === undefined ? {} : { maxAgeMs: parseDuration(olderThan) }),
    };
    const id = await resolveObjectId(args);
    const result = await expireObject(await openStore(args.storage), id, policy, leaseOptions(args.force));
    if (result.expired.length === 0) consola.info(`Nothing to expire in ${id}`);
    else consola.success(`Expired ${result.expired.length} checkpoint(s) of ${id} (${result.expired.join(", ")}) and deleted ${result.deletedFiles} file(s) no other checkpoint uses`);
  },
});

const exportCommand = defineCommand({
  meta: { name: "export", description: "Write an object's files (or every object's) as a .tar.gz, restorable into any store" },
  args: {
    ...objectArgs,
    all: { type: "boolean", description: "Every object in the store (the default without an id or --name)" },
    output: { type: "string", required: true, description: "Archive to write, e.g. backup.tar.gz (never replaced)" },
    ...storageArg,
  },
  async run({ args }) {
    const one = args.id !== undefined || args.name !== undefined;
    if (one && args.all) throw new SnapshotArgumentError("give an object or --all, not both");
    const store = await openStore(args.storage);
    const result = await exportObjects(store, args.output, one ? [await resolveObjectId(args)] : undefined);
    consola.success(`Exported ${result.files} file(s) of ${result.objects} object(s), ${formatBytes(result.bytes)}, from ${store.url} to ${args.output}`);
    if (result.vanished.length > 0) consola.warn(`${result.vanished.length} file(s) were deleted while exporting (expired checkpoints): ${result.vanished.slice(0, 3).join(", ")}`);
  },
});

const importCommand = defineCommand({
  meta: { name: "import", description: "Write an exported archive into the store; refuses to overwrite any existing key" },
  args: {
    archive: { type: "positional", required: true, description: "Archive made by `dotdo snapshot export`" },
    ...storageArg,
  },
  async run({ args }) {
    const store = await openStore(args.storage);
    const result = await importObjects(store, args.archive);
    consola.success(`Imported ${result.files} file(s) of ${result.objects} object(s), ${formatBytes(result.bytes)}, into ${store.url}`);
  },
});

export default defineCommand({
  meta: { name: "snapshot", description: "List, restore, expire, export and import objects' checkpoints" },
  subCommands: { objects, list, restore, expire, export: exportCommand, import: importCommand },
});
