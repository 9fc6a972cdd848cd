import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadDatabase } from "../../src/runtime/persistence/load-database";
import { readSchema, readSequences, selfConvertingColumns } from "../../src/runtime/persistence/schema";
import { planLayout } from "../../src/runtime/persistence/table-layout";
import { readRows, writeRows } from "../../src/runtime/persistence/table-rows";
import type { OtherCells } from "../../src/runtime/persistence/value-tags";
import { createRandomDatabase, randomDatabase } from "./arbitraries";
import { dumpDatabase, openDatabase } from "./sqlite";

describe("SQLite ⇄ Iceberg rows", () => {
  it("round-trips random schemas and mixed-type values exactly", async () => {
    await fc.assert(
      fc.asyncProperty(randomDatabase, async (spec) => {
        const source = await openDatabase();
        const target = await openDatabase();
        try {
          createRandomDatabase(source.port, spec);
          const objects = readSchema(source.port);
          const sequences = readSequences(source.port);
          const tables = objects.filter((o) => o.type === "table").map((o) => o.name);
          const captured = new Map(
            tables.map((name) => {
              const layout = planLayout(source.port, name);
              return [name, { layout, rows: readRows(source.port, name, layout) }];
            }),
          );
          loadDatabase(target.port, { objects, sequences }, (name) => {
            const { layout, rows } = captured.get(name)!;
            writeRows(target.port, name, layout, rows, (text) => JSON.parse(text) as OtherCells, selfConvertingColumns(target.port, name));
          });
          expect(dumpDatabase(target.port)).toEqual(dumpDatabase(source.port));
        } finally {
          source.db.close();
          target.db.close();
        }
      }),
      { numRuns: 150 },
    );
  });
});
