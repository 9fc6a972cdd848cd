import fc from "fast-check";
import { buildSchema, compatibleNameForTest, PRIMITIVE_TYPES, type IcebergValue, type PrimitiveType, type Row, type Schema } from "./api";

const MIN_LONG = -(2n ** 63n);
const MAX_LONG = 2n ** 63n - 1n;

export function valueOf(type: PrimitiveType): fc.Arbitrary<Exclude<IcebergValue, null>> {
  switch (type) {
    case "long":
      return fc.oneof(fc.bigInt({ min: MIN_LONG, max: MAX_LONG }), fc.constantFrom(MIN_LONG, MAX_LONG, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 0n));
    case "double":
      return fc.double();
    case "string":
      return fc.string({ unit: "binary", maxLength: 40 });
    case "binary":
      return fc.uint8Array({ maxLength: 40 });
    case "boolean":
      return fc.boolean();
  }
}

/** Random column names (any Unicode) whose Parquet-compatible forms do not clash. */
const columnName = fc.string({ unit: "binary", minLength: 1, maxLength: 12 });

export const schemaArb: fc.Arbitrary<Schema> = fc
  .uniqueArray(fc.record({ name: columnName, type: fc.constantFrom(...PRIMITIVE_TYPES), required: fc.boolean() }), {
    minLength: 1,
    maxLength: 6,
    selector: (c) => compatibleNameForTest(c.name),
  })
  .map((columns) => buildSchema(columns));

export function rowsOf(schema: Schema, maxLength = 30): fc.Arbitrary<Row[]> {
  const row = fc.record(
    Object.fromEntries(
      schema.fields.map((f) => [f.name, f.required ? valueOf(f.type) : fc.option(valueOf(f.type), { nil: null, freq: 3 })]),
    ) as Record<string, fc.Arbitrary<IcebergValue>>,
  );
  return fc.array(row, { maxLength });
}

export const tableArb = schemaArb.chain((schema) => rowsOf(schema).map((rows) => ({ schema, rows })));
