/**
 * Header names drachtio-srf sends exactly as written. drachtio-srf lower-cases every header name an
 * app sends (SipMessage.set -> its parser's getHeaderName) unless the name starts with X- or P-, or
 * is listed in its process environment variable DRACHTIO_PRESERVE_HEADER_NAMES, which it reads
 * from the environment and splits again for every header of every message it sends or parses: a
 * CPU profile of sipcase at 400 calls/s put 9% of its time there. So sipcase hands that lookup the
 * names to keep as a Set instead, and keeps the variable out of its own environment, which also
 * keeps drachtio-srf's parse of incoming messages on its fast path. (drachtio-server needs its
 * own DRACHTIO_PRESERVE_HEADER_NAMES, set where it starts; the case probe proves it was.)
 *
 * The lookup's answer for a name is also remembered: drachtio-srf asks it for every header of every
 * message it parses or builds (a profile at 300 calls/s put 6% of sipcase's busy CPU, and 8.6% of the
 * bare B2BUA's, in the lower-casing), and a call's messages use the same few dozen names.
 */
import { createRequire } from 'node:module';

export const PRESERVE_VAR = 'DRACHTIO_PRESERVE_HEADER_NAMES';

interface NameLookup {
  getHeaderName(name: string): string;
}

const kept = new Set<string>();
let installed = false;

/**
 * Names looked up so far, and what the lookup gave. Bounded: header names come from peers, and a
 * peer that sends a new name in every message must not grow it for ever (past the bound, names are
 * looked up every time, as before).
 */
const answers = new Map<string, string>();
const MAX_ANSWERS = 2048;

/**
 * Replaces drachtio-srf's header-name lookup with one that keeps the names in `kept` as written, and
 * moves names an operator listed the documented way (the variable) into it; the variable itself
 * must go. A start-up step of `sipcase run`, before the first rules load; once per process.
 */
export function installHeaderNameLookup(): void {
  if (installed) return;
  installed = true;
  const parser = createRequire(import.meta.url)('drachtio-srf/lib/sip-parser/parser') as NameLookup;
  const lowerCasing = parser.getHeaderName;
  parser.getHeaderName = (name) => {
    const known = answers.get(name);
    if (known !== undefined) return known;
    const answer = kept.has(name) ? name : lowerCasing(name);
    if (answers.size < MAX_ANSWERS) answers.set(name, answer);
    return answer;
  };
  for (const n of (process.env[PRESERVE_VAR] ?? '').split(',')) if (n.trim() !== '') kept.add(n.trim());
  delete process.env.DRACHTIO_PRESERVE_HEADER_NAMES;
}

/**
 * Adds names drachtio-srf must send as written, for every rules set before it is proven and put in
 * force. Names are never dropped while sipcase runs: a call that keeps the rules it started with
 * may still emit them. Without installHeaderNameLookup() first they would do nothing: a bug.
 */
export function keepHeaderNames(names: readonly string[]): void {
  if (!installed) throw new Error('keepHeaderNames before installHeaderNameLookup: drachtio-srf would still lower-case these names');
  for (const n of names) kept.add(n);
  answers.clear(); // a name now kept was lower-cased until now
}
