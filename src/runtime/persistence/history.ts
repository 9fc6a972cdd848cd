import { removeSnapshots } from "../iceberg/metadata";
import type { TableMetadata } from "../iceberg/metadata-types";

/**
 * Drops Iceberg snapshots whose files belong to commits before `retainFrom` (expired), and
 * `metadata-log` entries older than the oldest snapshot left, so the history stays bounded.
 */
export function pruneHistory(metadata: TableMetadata, retainFrom: number): TableMetadata {
  const gone = metadata.snapshots
    .filter((s) => s["snapshot-id"] !== metadata["current-snapshot-id"])
    .filter((s) => (commitOfLocation(s["manifest-list"]) ?? retainFrom) < retainFrom)
    .map((s) => s["snapshot-id"]);
  if (gone.length === 0) return metadata;
  const pruned = removeSnapshots(metadata, gone);
  const oldest = Math.min(...pruned.snapshots.map((s) => s["timestamp-ms"]));
  return { ...pruned, "metadata-log": pruned["metadata-log"].filter((entry) => entry["timestamp-ms"] >= oldest) };
}

/** The checkpoint sequence in a `…/snapshots/seq-{N}-{uuid}/…` location. */
function commitOfLocation(location: string): number | null {
  const match = /\/snapshots\/seq-(\d+)-/.exec(location);
  return match ? Number(match[1]) : null;
}
