import type { SnapshotInfo } from "../../runtime/persistence/time-travel";
import type { ObjectSummary } from "./objects";

/** `1536` → `1.5 KiB`. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Rows of cells as aligned text lines; the last column is not padded. */
function formatColumns(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  "));
}

export function snapshotLines(snapshots: SnapshotInfo[]): string[] {
  return formatColumns([
    ["SEQ", "TIME", "GEN", "HOLDER", "ROWS", "BYTES", "TABLES"],
    ...snapshots.map((s) => [
      String(s.sequence),
      new Date(s.timestampMs).toISOString(),
      String(s.generation),
      s.holder,
      String(s.tables.reduce((n, t) => n + t.rows, 0)),
      formatBytes(s.tables.reduce((n, t) => n + t.bytes, 0)),
      s.tables.map((t) => `${t.name} (${t.rows})`).join(", "),
    ]),
  ]);
}

export function objectLines(objects: ObjectSummary[]): string[] {
  return formatColumns([
    ["ID", "CHECKPOINTS", "NEWEST", "FILES", "BYTES"],
    ...objects.map((o) => [o.id, String(o.commits), o.newest === null ? "-" : String(o.newest), String(o.files), formatBytes(o.bytes)]),
  ]);
}
