/**
 * Header names: RFC 3261 §7.3.1 says they are case-insensitive and that some have a compact
 * one-letter form. Everything that compares names goes through `headerKey`, so `i`, `call-id`
 * and `Call-ID` are one header to the rules, while the spelling on the wire is kept untouched.
 */

/**
 * Compact forms from RFC 3261 §7.3.3 and the RFCs that added headers with one. A Map, not an object: a header a peer names `__proto__` or `constructor` would read the
 * object's prototype, and was dropped without a word.
 */
const COMPACT_FORMS: ReadonlyMap<string, string> = new Map([
  ['a', 'accept-contact'],
  ['b', 'referred-by'],
  ['c', 'content-type'],
  ['d', 'request-disposition'],
  ['e', 'content-encoding'],
  ['f', 'from'],
  ['i', 'call-id'],
  ['j', 'reject-contact'],
  ['k', 'supported'],
  ['l', 'content-length'],
  ['m', 'contact'],
  ['n', 'identity-info'],
  ['o', 'event'],
  ['r', 'refer-to'],
  ['s', 'subject'],
  ['t', 'to'],
  ['u', 'allow-events'],
  ['v', 'via'],
  ['x', 'session-expires'],
  ['y', 'identity'],
]);

/**
 * Keys of names already seen. A message has a dozen names and traffic repeats them, so this saves
 * most of the work on the hot path; it is bounded because names come from the network.
 */
const seen = new Map<string, string>();
const SEEN_LIMIT = 2048;

/** The key two header names share when they name the same header. */
export function headerKey(name: string): string {
  const known = seen.get(name);
  if (known !== undefined) return known;
  const lower = name.toLowerCase();
  const key = COMPACT_FORMS.get(lower) ?? lower;
  if (seen.size < SEEN_LIMIT) seen.set(name, key);
  return key;
}

/** RFC 3261 `token` characters (alphanum and -.!%*_+`'~): what a header name may be made of. */
const TOKEN_CHAR = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.!%*_+`'~") TOKEN_CHAR[c.charCodeAt(0)] = 1;

export function isHeaderName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) if (TOKEN_CHAR[name.charCodeAt(i)] !== 1) return false;
  return true;
}
