import { serializeTableMetadata } from "../iceberg/metadata";
import { versionHintText } from "../iceberg/version-hint";
import type { ObjectStore } from "../storage/types";
import type { CommitTable } from "./commit";
import { tableMetadataKey, versionHintKey } from "./keys";

/**
 * Writes a table's standard Iceberg entry point: `v{N}.metadata.json`, then the version hint.
 * Done after the commit, so engines never see an uncommitted checkpoint; rewriting it is
 * harmless, so a crash in between is repaired by the next commit.
 */
export async function publishTableMetadata(store: ObjectStore, table: CommitTable): Promise<void> {
  const version = table.metadata["last-sequence-number"];
  const encoder = new TextEncoder();
  await store.put(tableMetadataKey(table.slug, version), encoder.encode(serializeTableMetadata(table.metadata)));
  await store.put(versionHintKey(table.slug), encoder.encode(versionHintText(version)));
}
