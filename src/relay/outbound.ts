/**
 * What of a rewritten message crosses to the other leg. Dialog and transport headers belong to
 * each leg and drachtio-server writes its own (Via, Route, Record-Route, Contact, CSeq, Call-ID,
 * From and To with their tags, Content-Length; RSeq/RAck are per leg, as PRACK is); every other
 * header crosses, in order, spelled as the rules left it. A redirect's Contact is no leg's own: it
 * crosses too.
 */
import type { SipMessage } from '../sip/message.js';
import type { HeaderMap } from '../drachtio/engine.js';

const PER_LEG: ReadonlySet<string> = new Set([
  'via',
  'route',
  'record-route',
  'contact',
  'cseq',
  'call-id',
  'from',
  'to',
  'content-length',
  'max-forwards',
  'rseq',
  'rack',
]);

export interface Outbound {
  readonly headers: HeaderMap;
  readonly body: string | undefined;
  /** What outboundBytes() says of it, worked out once. */
  readonly bytes: number;
}

/**
 * Headers as drachtio-srf takes them: one key per header. Copies of one header (any spelling)
 * are joined with commas under the first spelling, which is what drachtio-srf does with them too.
 */
export function outbound(message: SipMessage): Outbound {
  const headers: HeaderMap = {};
  const spelling = new Map<string, string>();
  const redirect = redirects(message);
  for (const h of message.headers) {
    if (PER_LEG.has(h.key) && !(redirect && h.key === 'contact')) continue;
    const name = spelling.get(h.key);
    if (name === undefined) {
      spelling.set(h.key, h.name);
      headers[h.name] = h.value;
    } else {
      headers[name] = `${headers[name] as string},${h.value}`;
    }
  }
  const maxForwards = message.headers.find((h) => h.key === 'max-forwards');
  if (maxForwards !== undefined && /^\d+$/.test(maxForwards.value)) {
    headers['Max-Forwards'] = String(Math.max(0, Number(maxForwards.value) - 1));
  }
  const body = message.body === '' ? undefined : message.body;
  return { headers, body, bytes: byteCount(headers, body) };
}

/**
 * A redirect (3xx) or 485 Ambiguous: its Contact is not the callee's own address but where the
 * caller should try next (RFC 3261 §21.3, §21.4.23; RFC 7434 may carry UUI in it), so it crosses.
 */
function redirects(message: SipMessage): boolean {
  const s = message.start;
  return s.kind === 'response' && ((s.status >= 300 && s.status < 400) || s.status === 485);
}

/** As drachtio-srf's send and request options take it: a body only when there is one. */
export function sendOptions(out: Outbound): { readonly headers: HeaderMap; readonly body?: string } {
  return out.body === undefined ? { headers: out.headers } : { headers: out.headers, body: out.body };
}

/**
 * The bytes sipcase hands drachtio-server for the other leg: each header line and the body
 * (drachtio-server then adds its own Via, Contact and dialog headers).
 */
export function outboundBytes(out: Outbound): number {
  return out.bytes;
}

function byteCount(headers: HeaderMap, body: string | undefined): number {
  let bytes = body === undefined ? 0 : Buffer.byteLength(body);
  for (const name in headers) bytes += name.length + Buffer.byteLength(headers[name] as string) + 4;
  return bytes;
}

/** Max-Forwards of 0 on arrival: relaying would exceed the hop limit (RFC 3261 §16.3). */
export function hopsExhausted(message: SipMessage): boolean {
  const mf = message.headers.find((h) => h.key === 'max-forwards');
  return mf !== undefined && mf.value.trim() === '0';
}
