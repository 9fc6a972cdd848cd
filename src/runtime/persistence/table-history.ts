import { InvalidIcebergInputError } from "../iceberg/errors";
import { addSnapshot, createTableMetadata, removeSnapshots, serializeTableMetadata } from "../iceberg/metadata";
import { parseTableMetadata } from "../iceberg/metadata-parse";
import type { TableMetadata } from "../iceberg/metadata-types";
import { schemaFromJson } from "../iceberg/schema";
import { versionHintText } from "../iceberg/version-hint";
import { deleteKeys } from "../storage/delete-keys";
import type { ObjectStore } from "../storage/types";
import { manifestFileOf, type CommitTable } from "./commit";
import { metadataVersionOf, tableMetadataKey, tableMetadataPrefix, versionHintKey } from "./keys";

/**
 * Keeps each table's standard Iceberg entry point, `tables/{slug}/metadata/v{N}.metadata.json`
 * plus `version-hint.text`, in step with the commits. A commit holds only each table's current
 * snapshot; the history is carried from the metadata this instance last published, or read
 * back from the store once per session. Written after the commit, so engines never see an
 * uncommitted checkpoint; if it is missing or unreadable, the history starts afresh — it is
 * for engines' time travel, never needed to restore.
 */
export class TableHistory {
  readonly #store: ObjectStore;
  readonly #location: string;
  readonly #known = new Map<string, TableMetadata>();
  /** Commits before this were expired: their snapshots leave the history. */
  #retainFrom = 1;

  constructor(store: ObjectStore, location: string) {
    this.#store = store;
    this.#location = location;
  }

  retainFrom(sequence: number): void {
    this.#retainFrom = Math.max(this.#retainFrom, sequence);
  }

  /** Publishes `table`'s current snapshot, extending the table's history. */
  async publish(table: CommitTable): Promise<void> {
    const base = await this.#base(table);
    let metadata: TableMetadata;
    if (base?.["current-snapshot-id"] === table.snapshotId) {
      // Already published (a restored state's first checkpoint): write only if something is
      // stale, so handler platforms, which restore on every request, do not rewrite it each time.
      if (this.#pruned(base) === base && (await this.#hintNames(table, base["last-sequence-number"]))) {
        this.#known.set(table.slug, base);
        return;
      }
      metadata = base;
    } else {
      const continues = base !== null && base["last-sequence-number"] === table.sequenceNumber - 1;
      try {
        metadata = this.#withSnapshot(continues ? base : this.#fresh(table), table, continues);
      } catch (error) {
        // A history that diverged (e.g. after going back in time) starts afresh.
        if (!(error instanceof InvalidIcebergInputError)) throw error;
        metadata = this.#withSnapshot(this.#fresh(table), table, false);
      }
    }
    await this.#write(table, this.#pruned(metadata));
  }

  /**
   * Rewrites `table`'s current metadata without the snapshots of expired commits, then deletes
   * the metadata files older than any its log still names. Returns how many it deleted.
   */
  async prune(table: CommitTable): Promise<number> {
    const base = await this.#base(table);
    if (base?.["current-snapshot-id"] !== table.snapshotId) return 0;
    const metadata = this.#pruned(base);
    await this.#write(table, metadata);
    const logged = metadata["metadata-log"].map((entry) => metadataVersionOf(entry["metadata-file"]) ?? 0);
    const oldest = Math.min(metadata["last-sequence-number"], ...logged);
    const listed = await this.#store.list(tableMetadataPrefix(table.slug));
    const old = listed.objects.map((o) => o.key).filter((key) => (metadataVersionOf(key) ?? oldest) < oldest);
    await deleteKeys(this.#store, old);
    return old.length;
  }

  async #write(table: CommitTable, metadata: TableMetadata): Promise<void> {
    const encoder = new TextEncoder();
    const version = metadata["last-sequence-number"];
    await this.#store.put(tableMetadataKey(table.slug, version), encoder.encode(serializeTableMetadata(metadata)));
    await this.#store.put(versionHintKey(table.slug), encoder.encode(versionHintText(version)));
    this.#known.set(table.slug, metadata);
  }

  #withSnapshot(base: TableMetadata, table: CommitTable, continues: boolean): TableMetadata {
    const previousVersion = base["last-sequence-number"];
    return addSnapshot(base, {
      snapshotId: table.snapshotId,
      sequenceNumber: table.sequenceNumber,
      operation: base["current-snapshot-id"] === undefined ? "append" : "overwrite",
      manifestList: `${this.#location}/${table.manifestListKey}`,
      manifests: table.files.map((f) => manifestFileOf(this.#location, f)),
      schema: schemaFromJson(table.schema, table.lastColumnId),
      timestampMs: table.timestampMs,
      ...(continues && previousVersion > 0
        ? { previousMetadataLocation: `${this.#location}/${tableMetadataKey(table.slug, previousVersion)}` }
        : {}),
    });
  }

  /** Metadata with no history, ready to take `table`'s snapshot as the next one. */
  #fresh(table: CommitTable): TableMetadata {
    const created = createTableMetadata({
      location: `${this.#location}/tables/${table.slug}`,
      schema: schemaFromJson(table.schema, table.lastColumnId),
      tableUuid: table.uuid,
      timestampMs: table.timestampMs,
    });
    return { ...created, "last-sequence-number": table.sequenceNumber - 1 };
  }

  /** The history to extend: as last published here, or as stored (this or the previous version). */
  async #base(table: CommitTable): Promise<TableMetadata | null> {
    const fits = (m: TableMetadata | null | undefined) =>
      m && m["table-uuid"] === table.uuid && m["last-sequence-number"] >= table.sequenceNumber - 1 && m["last-sequence-number"] <= table.sequenceNumber
        ? m
        : null;
    return fits(this.#known.get(table.slug)) ?? fits(await this.#read(table, table.sequenceNumber)) ?? fits(await this.#read(table, table.sequenceNumber - 1));
  }

  async #hintNames(table: CommitTable, version: number): Promise<boolean> {
    const hint = await this.#store.get(versionHintKey(table.slug));
    return hint !== null && new TextDecoder().decode(hint.body) === versionHintText(version);
  }

  async #read(table: CommitTable, version: number): Promise<TableMetadata | null> {
    if (version < 1) return null;
    const key = tableMetadataKey(table.slug, version);
    const object = await this.#store.get(key);
    if (!object) return null;
    try {
      return parseTableMetadata(new TextDecoder().decode(object.body), key);
    } catch {
      // Damaged published metadata is replaced by a fresh history; restores never read it.
      return null;
    }
  }

  /** Without snapshots of commits before `retainFrom`, and without metadata-log entries older than what is left. */
  #pruned(metadata: TableMetadata): TableMetadata {
    const gone = metadata.snapshots
      .filter((s) => s["snapshot-id"] !== metadata["current-snapshot-id"])
      .filter((s) => (commitOfLocation(s["manifest-list"]) ?? this.#retainFrom) < this.#retainFrom)
      .map((s) => s["snapshot-id"]);
    if (gone.length === 0) return metadata;
    const pruned = removeSnapshots(metadata, gone);
    const oldest = Math.min(...pruned.snapshots.map((s) => s["timestamp-ms"]));
    return { ...pruned, "metadata-log": pruned["metadata-log"].filter((entry) => entry["timestamp-ms"] >= oldest) };
  }
}

/** The checkpoint sequence in a `…/snapshots/seq-{N}-{uuid}/…` location. */
function commitOfLocation(location: string): number | null {
  const match = /\/snapshots\/seq-(\d+)-/.exec(location);
  return match ? Number(match[1]) : null;
}
