import { removeSnapshots } from "../iceberg/metadata";
import type { TableMetadata } from "../iceberg/metadata-types";

/** Drops Iceberg snapshots whose files belong to commits before `retainFrom` (expired). */
export function pruneHistory(metadata: TableMetadata, retainFrom: number): TableMetadata {
  const gone = metadata.snapshots
    .filter((s) => s["snapshot-id"] !== metadata["current-snapshot-id"])
    .filter((s) => (commitOfLocation(s["manifest-list"]) ?? retainFrom) < retainFrom)
    .map((s) => s["snapshot-id"]);
  return gone.length === 0 ? metadata : removeSnapshots(metadata, gone);
}

/** The checkpoint sequence in a `…/snapshots/seq-{N}-{uuid}/…` location. */
function commitOfLocation(location: string): number | null {
  const match = /\/snapshots\/seq-(\d+)-/.exec(location);
  return match ? Number(match[1]) : null;
}
