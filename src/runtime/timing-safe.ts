/**
 * Compares a secret the caller gave with the expected one in time that depends on their
 * lengths only, so a wrong guess's correct prefix cannot be learnt from timing.
 */
export function timingSafeEqual(given: string, expected: string): boolean {
  const a = new TextEncoder().encode(given);
  const b = new TextEncoder().encode(expected);
  let difference = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}
