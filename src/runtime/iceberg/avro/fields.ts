import { CorruptFileError } from "../errors";

/** Reads decoded Avro records defensively: a file written by anyone may lack a field. */
export class FieldReader {
  constructor(
    private readonly path: string,
    private readonly record: Record<string, unknown>,
    private readonly where: string,
  ) {}

  private missing(name: string, expected: string): never {
    const field = `${this.where}.${name}`;
    throw new CorruptFileError(this.path, `${field} is missing or not ${expected}`, { field });
  }

  number(name: string): number {
    const value = this.record[name];
    return typeof value === "number" ? value : this.missing(name, "a number");
  }

  optionalNumber(name: string): number | undefined {
    const value = this.record[name];
    return value === null || value === undefined ? undefined : this.number(name);
  }

  string(name: string): string {
    const value = this.record[name];
    return typeof value === "string" ? value : this.missing(name, "a string");
  }

  nested(name: string): FieldReader {
    const value = this.record[name];
    if (typeof value !== "object" || value === null) this.missing(name, "a record");
    return new FieldReader(this.path, value as Record<string, unknown>, `${this.where}.${name}`);
  }

  /** Iceberg's Avro form of `map<int, T>`: an array of `{key, value}` records, or null. */
  intMap<T>(name: string, read: (value: unknown) => T | undefined): Map<number, T> {
    const value = this.record[name];
    const out = new Map<number, T>();
    if (value === null || value === undefined) return out;
    if (!Array.isArray(value)) this.missing(name, "a map");
    for (const item of value as { key?: unknown; value?: unknown }[]) {
      const decoded = read(item.value);
      if (typeof item.key !== "number" || decoded === undefined) this.missing(name, "a map of int keys");
      out.set(item.key as number, decoded as T);
    }
    return out;
  }
}
