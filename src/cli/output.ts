/**
 * Data a command prints for other programs (`JWT_TOKEN=$(dotdo token)`): written to stdout
 * as is. Messages for people go through consola, which decorates them when not on a TTY.
 */
export function printData(text: string): void {
  process.stdout.write(`${text}\n`);
}
