/**
 * The `allow` action: only the headers a peer should see. Header lines the dialog and the
 * protocol's extensions need are kept whatever the list says (dropping one breaks the call, or
 * what a request asks for: a REFER without Refer-To, a NOTIFY without Event); of the rest, only
 * those the action names stay, and every other line is dropped, each a change of its own, so the
 * rewrite counter says how many went. Headers embedded in a URI are no header lines: an allowlist
 * does not reach into a Refer-To.
 */
import type { Header } from '../sip/message.js';
import type { Action, AllowList } from '../rules/types.js';
import type { ActionChange } from './change.js';
import { unchanged, type ActionOutcome } from './outcome.js';

/**
 * RFC 3261's dialog and transaction headers, the body's description, and the headers of the
 * extensions sipcase relays (100rel, session timers, REFER and its NOTIFYs, Replaces, events,
 * authentication), by key.
 */
export const DIALOG_HEADERS: ReadonlySet<string> = new Set([
  'via',
  'route',
  'record-route',
  'path',
  'from',
  'to',
  'call-id',
  'cseq',
  'contact',
  'max-forwards',
  'content-type',
  'content-length',
  'content-encoding',
  'content-disposition',
  'content-language',
  'mime-version',
  'require',
  'proxy-require',
  'supported',
  'unsupported',
  'allow',
  'allow-events',
  'accept',
  'accept-encoding',
  'accept-language',
  'rseq',
  'rack',
  'session-expires',
  'min-se',
  'expires',
  'min-expires',
  'retry-after',
  'event',
  'subscription-state',
  'refer-to',
  'referred-by',
  'refer-sub',
  'replaces',
  'target-dialog',
  'authorization',
  'proxy-authorization',
  'www-authenticate',
  'proxy-authenticate',
  'authentication-info',
]);

export function isAllowed(allowed: AllowList, key: string): boolean {
  if (DIALOG_HEADERS.has(key) || allowed.keys.has(key)) return true;
  for (const prefix of allowed.prefixes) if (key.startsWith(prefix)) return true;
  return false;
}

export function applyAllow(a: Extract<Action, { kind: 'allow' }>, headers: readonly Header[]): ActionOutcome {
  const changes: ActionChange[] = [];
  const out = headers.filter((h) => {
    if (isAllowed(a.allowed, h.key)) return true;
    changes.push({ action: 'allow', header: h.name, detail: 'dropped: not on the allowlist' });
    return false;
  });
  return changes.length === 0 ? unchanged(headers) : { headers: out, changes };
}
