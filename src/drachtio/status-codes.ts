/**
 * Every status code RFC 3261 allows, sendable through drachtio-srf. Its Response#send throws for
 * a code its status table (the sip-status package) does not list, and that table holds only the
 * registered codes: a callee's legal 155 or 499 made sipcase throw inside drachtio-srf's wire
 * reader (a process fault: every call on the instance lost), or turned its final answer into 500.
 * RFC 3261 §8.1.3.2 and §16.7 say a code is any three digits from 100 to 699, and that what relays
 * it passes it on as it came: so the table is completed once, at start-up, with every missing code
 * and its class's name as the default reason (sipcase always passes the peer's own phrase).
 *
 * An unknown 1xx is relayed as itself, not turned into 183: the caller's UA is the one that treats
 * a code it does not know as its class's x00 (or a 1xx as 183, §21.1), exactly as it would with the
 * callee in front of it.
 */
import { createRequire } from 'node:module';

const LOWEST_STATUS = 100;
const HIGHEST_STATUS = 699;

const CLASS_REASONS: Readonly<Record<number, string>> = {
  1: 'Provisional',
  2: 'Success',
  3: 'Redirection',
  4: 'Client Failure',
  5: 'Server Failure',
  6: 'Global Failure',
};

/** The reason phrase a code's class gives when the code has none of its own. */
export function classReason(status: number): string {
  return CLASS_REASONS[Math.floor(status / 100)] ?? 'Unknown';
}

/** The status table drachtio-srf's Response#send checks (the sip-status it loads, not a copy). */
export function drachtioStatusTable(): Record<number, string> {
  const fromSrf = createRequire(createRequire(import.meta.url).resolve('drachtio-srf'));
  return fromSrf('sip-status') as Record<number, string>;
}

/**
 * Adds every status code from 100 to 699 that `table` lacks, with its class's reason. Registered
 * codes keep their own phrases. Idempotent; a start-up step of `sipcase run`.
 */
export function completeStatusTable(table: Record<number, string> = drachtioStatusTable()): number {
  let added = 0;
  for (let status = LOWEST_STATUS; status <= HIGHEST_STATUS; status++) {
    if (status in table) continue;
    table[status] = classReason(status);
    added++;
  }
  return added;
}
