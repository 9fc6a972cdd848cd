import type { ObjectStore } from "../../../src/runtime/storage/types";

/** Counts attacks per category, so a suite can report what it tried and what it refused. */
export class Tally {
  private readonly counts = new Map<string, { tried: number; refused: number }>();

  constructor(private readonly target: string) {}

  record(category: string, refused: boolean): void {
    const entry = this.counts.get(category) ?? { tried: 0, refused: 0 };
    entry.tried += 1;
    if (refused) entry.refused += 1;
    this.counts.set(category, entry);
  }

  /** A markdown table, printed so the figures in docs/security.md can be checked against a run. */
  print(): void {
    const rows = [...this.counts].map(([category, { tried, refused }]) => `| ${category} | ${tried} | ${refused} |`);
    const total = [...this.counts.values()].reduce((sum, { tried, refused }) => ({ tried: sum.tried + tried, refused: sum.refused + refused }), { tried: 0, refused: 0 });
    console.log([`attacks on the ${this.target}`, "| category | tried | refused |", "|---|---:|---:|", ...rows, `| **total** | **${total.tried}** | **${total.refused}** |`].join("\n"));
  }
}

/**
 * Every key, size and etag in a store (and with `bodies`, every body), as one string: equal
 * fingerprints mean nothing was written. Etags are content hashes on every backend, so the
 * cheap form already changes with any body; suites still compare bodies once at the end.
 */
export async function fingerprint(store: ObjectStore, options: { bodies?: boolean } = {}): Promise<string> {
  const parts: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list("", cursor === undefined ? {} : { cursor });
    for (const info of page.objects) {
      const body = options.bodies ? Buffer.from((await store.get(info.key))?.body ?? []).toString("base64") : "";
      parts.push(`${info.key}=${info.size}:${info.etag}:${body}`);
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  return parts.join("\n");
}
