/**
 * Headers Genesys Cloud reserves for itself: its conversation and routing data (`x-inin-*`,
 * `x-genesys-*`) and its call-control values (`x-pcv`, `x-gcv`). Genesys writes them; a copy that
 * reaches a Genesys peer from the other side of sipcase (a bot echoing what it was given, a
 * platform's internal header) can be taken for Genesys' own. Found, they are warned about and
 * counted, never removed here: an `allow` rule toward Genesys is how they are kept out.
 */
import { headerKey } from '../sip/header-name.js';
import type { SipMessage } from '../sip/message.js';

export const RESERVED_FAMILIES = ['x-inin-*', 'x-genesys-*', 'x-pcv', 'x-gcv'] as const;
export type ReservedFamily = (typeof RESERVED_FAMILIES)[number];

/** The family a header key belongs to, if Genesys reserves it. */
export function reservedFamily(key: string): ReservedFamily | undefined {
  if (key.startsWith('x-inin-')) return 'x-inin-*';
  if (key.startsWith('x-genesys-')) return 'x-genesys-*';
  if (key === 'x-pcv' || key === 'x-gcv') return key;
  return undefined;
}

export interface ReservedHeader {
  /** The name as the message spells it. */
  readonly name: string;
  readonly family: ReservedFamily;
}

/** The reserved header lines a message carries, in order. */
export function reservedHeaders(message: SipMessage): ReservedHeader[] {
  const found: ReservedHeader[] = [];
  for (const h of message.headers) {
    const family = h.key.charCodeAt(0) === 120 ? reservedFamily(h.key) : undefined; // 'x'
    if (family !== undefined) found.push({ name: h.name, family });
  }
  return found;
}

export interface ReservedArrival extends ReservedHeader {
  /** Whether the message as sent on still carries it (an allowlist, or a remove, keeps it back). */
  readonly sentOn: boolean;
}

/** The reserved headers a message arrived with from the other side, and whether the rules let each through. */
export function reservedArrivals(received: SipMessage, sent: SipMessage): ReservedArrival[] {
  return reservedHeaders(received).map((r) => {
    const key = headerKey(r.name);
    return { ...r, sentOn: sent.headers.some((h) => h.key === key) };
  });
}

/** How a reserved arrival reads in a warning. */
export function describeArrival(r: ReservedArrival, from: string): string {
  return `${r.name}: a header Genesys reserves for itself (${r.family}), from ${from}: ${r.sentOn ? 'sent on' : 'kept back by the rules'}`;
}
