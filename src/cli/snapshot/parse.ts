import { SnapshotArgumentError } from "./errors";

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `90s`, `15m`, `12h`, `7d`, `2w` or combinations (`1d12h`) as milliseconds. */
export function parseDuration(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) {
    throw new SnapshotArgumentError(`--older-than ${JSON.stringify(text)} is not a duration like 90s, 15m, 12h, 7d or 2w`);
  }
  return parts.reduce((total, [, amount, unit]) => total + Number(amount) * UNITS[unit!]!, 0);
}

/** A point in time from ISO 8601 text (`2026-01-31T12:00:00Z`, or a date alone). */
export function parseTime(text: string): number {
  const time = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(time)) throw new SnapshotArgumentError(`--at ${JSON.stringify(text)} is not an ISO 8601 time like 2026-01-31T12:00:00Z`);
  return time;
}

/** How many checkpoints `--keep` keeps: a positive integer. */
export function parseKeep(text: string): number {
  const keep = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(keep) || keep < 1) throw new SnapshotArgumentError(`--keep ${JSON.stringify(text)} is not a positive integer`);
  return keep;
}

/** A checkpoint sequence number: a positive integer. */
export function parseSequence(text: string): number {
  const sequence = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(sequence) || sequence < 1) throw new SnapshotArgumentError(`--seq ${JSON.stringify(text)} is not a checkpoint number (a positive integer)`);
  return sequence;
}
