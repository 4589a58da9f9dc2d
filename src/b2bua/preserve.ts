/**
 * drachtio-srf lower-cases header names it sends unless its own process environment variable
 * DRACHTIO_PRESERVE_HEADER_NAMES lists the exact spelling; it reads the variable on every message,
 * so setting it at each rules load is enough. (drachtio-server needs the same list, set where it
 * starts; the case probe checks that it was.)
 */
export const PRESERVE_VAR = 'DRACHTIO_PRESERVE_HEADER_NAMES';

export function preserveList(current: string | undefined, names: readonly string[]): string {
  const all = new Set((current ?? '').split(',').map((n) => n.trim()).filter((n) => n !== ''));
  for (const n of names) all.add(n);
  return [...all].join(',');
}
