/**
 * Iceberg's `makeCompatibleName`: Java Iceberg writes Parquet (and Avro) column names in this
 * form, and readers that map by name (icebird, plain `read_parquet`) expect it.
 */
export function compatibleName(name: string): string {
  let out = "";
  for (let i = 0; i < name.length; i++) {
    const ch = name.charAt(i);
    if (/[A-Za-z_]/.test(ch) || (i > 0 && /[0-9]/.test(ch))) out += ch;
    else if (/[0-9]/.test(ch)) out += `_${ch}`;
    else out += `_x${name.charCodeAt(i).toString(16).toUpperCase()}`;
  }
  return out;
}
