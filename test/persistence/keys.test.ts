import { describe, expect, it } from "vitest";
import { dataFileKey, tableMetadataKey, tableSlug } from "../../src/runtime/persistence/keys";
import { assertValidKey } from "../../src/runtime/storage/keys";

describe("table keys", () => {
  it("name every SQLite table with keys every store takes, device names included", () => {
    expect(tableSlug("users")).toBe("users");
    expect(tableSlug("aux")).toBe("au~78~");
    expect(tableSlug("Com1")).toBe("Com~31~");
    for (const table of ["aux", "CON", "nul", "lpt9", "my table.", "trailing ", "Ünïcödé", "a/b\\c"]) {
      expect(() => assertValidKey(tableMetadataKey(tableSlug(table), 1)), table).not.toThrow();
      expect(() => assertValidKey(dataFileKey("snapshots/seq-1-x", tableSlug(table), 0)), table).not.toThrow();
    }
  });
});
