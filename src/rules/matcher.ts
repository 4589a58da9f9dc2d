/**
 * The rule matcher: does a rule's scope take this message? Direction (from/to peer) was settled
 * when the rules were compiled; what is left is per-message: method, request or response, status,
 * a header that must be present or match, and headers that must be nowhere in the message.
 */
import { URI_CARRIERS, embeddedKey, mapEmbedded } from '../sip/embedded.js';
import type { Header, TextEncoding } from '../sip/message.js';
import type { Scope } from './types.js';

export interface MessageFacts {
  readonly kind: 'request' | 'response';
  /** The request's method, or for a response the method its CSeq names. Upper case. */
  readonly method: string;
  readonly status: number | undefined;
}

function statusMatches(scope: Scope, status: number | undefined): boolean {
  if (scope.status === undefined) return true;
  if (status === undefined) return false;
  return scope.status.codes.has(status) || scope.status.classes.has(Math.floor(status / 100));
}

function headerMatches(scope: Scope, headers: readonly Header[]): boolean {
  const want = scope.header;
  if (want === undefined) return true;
  return headers.some((h) => h.key === want.key && (want.matches === undefined || testRegex(want.matches, h.value)));
}

/** Whether a header of `keys` is a line of the message or embedded in one of its Refer-To or Contact URIs. */
export function carriesAny(keys: readonly string[], headers: readonly Header[], encoding: TextEncoding): boolean {
  for (const h of headers) {
    if (keys.includes(h.key)) return true;
    if (!URI_CARRIERS.has(h.key)) continue;
    let found = false;
    mapEmbedded(h.value, (embedded) => {
      found ||= embedded.some((e) => keys.includes(embeddedKey(e, encoding)));
      return embedded;
    });
    if (found) return true;
  }
  return false;
}

/** RegExp objects with g or y keep state between calls; a scope test must not depend on history. */
function testRegex(re: RegExp, text: string): boolean {
  re.lastIndex = 0;
  return re.test(text);
}

export function scopeMatches(scope: Scope, facts: MessageFacts, headers: readonly Header[], encoding: TextEncoding): boolean {
  return (
    (scope.message === undefined || scope.message === facts.kind) &&
    (scope.methods === undefined || scope.methods.has(facts.method)) &&
    statusMatches(scope, facts.status) &&
    headerMatches(scope, headers) &&
    (scope.absent === undefined || !carriesAny(scope.absent, headers, encoding))
  );
}
