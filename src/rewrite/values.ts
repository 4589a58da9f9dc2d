/**
 * Building a template's value from a message and the call's memory (templates: rules/template.ts).
 * The result is whole or nothing: a slot whose part is absent gives `missing` and the action that
 * asked leaves the message alone, so no header is ever half built. A value that would carry CR, LF
 * or NUL (a decoded embedded header, hex that decodes to one) is `refused`: it could end a header
 * line and start another one of a peer's choosing.
 */
import { headerKey } from '../sip/header-name.js';
import type { Header, StartLine, TextEncoding } from '../sip/message.js';
import { findBracketedUri } from '../sip/name-addr.js';
import { DECODES_TO_LINE_BREAK, decodeUriHeaderText, encodeUriHeaderText } from '../sip/uri-headers.js';
import type { Encoder, MessagePart, Piece, Source, Template } from '../rules/template.js';
import { URI_CARRIERS, embeddedKey, mapEmbedded } from '../sip/embedded.js';

/** What a template can read: the message as the rules before it left it, and the call's memory. */
export interface ValueScope {
  readonly start: StartLine;
  readonly headers: readonly Header[];
  readonly encoding: TextEncoding;
  readonly memory: (name: string) => string | undefined;
}

export type Built = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly why: 'missing' | 'refused'; readonly detail: string };

const LINE_BREAKING = /[\r\n\0]/;

const SCHEME = /sips?:/gi;

/** Index of the first of `stops` in `text` at or after `from` (text.length when none). */
function scanTo(text: string, from: number, stops: string): number {
  let i = from;
  while (i < text.length && !stops.includes(text[i] as string)) i++;
  return i;
}

/**
 * The user part of the first SIP URI in a header value or request-URI that has one, without its
 * parameters (`sip:user;params@host`). One pass: a scheme inside a run already scanned ends where
 * that run ended, so it is never scanned again (a regex did, and took seconds on 60 KB of
 * `sip:sip:...`, which a peer may send).
 */
export function uriUser(text: string): string | undefined {
  const uri = findBracketedUri(text)?.uri ?? text;
  const scheme = new RegExp(SCHEME);
  for (let from = 0; ; ) {
    scheme.lastIndex = from;
    const m = scheme.exec(uri);
    if (m === null) return undefined;
    const start = m.index + m[0].length;
    const userEnd = scanTo(uri, start, '@;?>');
    const end = uri[userEnd] === ';' ? scanTo(uri, userEnd, '@?>') : userEnd;
    if (uri[end] === '@' && userEnd > start) return uri.slice(start, userEnd);
    from = Math.max(end, start);
  }
}

function first(headers: readonly Header[], key: string): string | undefined {
  for (const h of headers) if (h.key === key) return h.value;
  return undefined;
}

function part(scope: ValueScope, p: MessagePart): string | undefined {
  switch (p) {
    case 'call-id':
      return first(scope.headers, 'call-id');
    case 'from.user':
    case 'to.user': {
      const value = first(scope.headers, p === 'from.user' ? 'from' : 'to');
      return value === undefined ? undefined : uriUser(value);
    }
    case 'ruri.user':
      return scope.start.kind === 'request' ? uriUser(scope.start.uri) : undefined;
  }
}

/**
 * An embedded header that does not decode (a malformed escape, or CR, LF or NUL once decoded): the
 * slot is refused whatever encoder follows, since |hex or |uri would make it look harmless.
 */
interface Undecodable {
  readonly undecodable: string;
}

function embedded(scope: ValueScope, name: string): string | Undecodable | undefined {
  const key = headerKey(name);
  let found: string | Undecodable | undefined;
  for (const h of scope.headers) {
    if (found !== undefined || !URI_CARRIERS.has(h.key)) continue;
    mapEmbedded(h.value, (list) => {
      const e = found === undefined ? list.find((x) => embeddedKey(x, scope.encoding) === key) : undefined;
      if (e !== undefined) {
        const decoded = decodeUriHeaderText(e.value, scope.encoding);
        found = decoded.ok ? decoded.text : { undecodable: decoded.reason };
      }
      return list;
    });
  }
  return found;
}

function read(scope: ValueScope, s: Source): string | Undecodable | undefined {
  switch (s.kind) {
    case 'memory':
      return scope.memory(s.name);
    case 'header':
      return first(scope.headers, headerKey(s.name));
    case 'embedded':
      return embedded(scope, s.name);
    case 'part':
      return part(scope, s.part);
  }
}

/**
 * Hex back to the text it encodes, in the message's own encoding: on the wire (UTF-8) the bytes
 * C3A9 are "é", one character that leaves as those two bytes again; read as latin1 they were two
 * characters that left as four bytes. Hex that is not text in that encoding is refused.
 */
function hexToText(value: string, encoding: TextEncoding): string | undefined {
  if (!/^(?:[0-9A-Fa-f]{2})*$/.test(value)) return undefined;
  const bytes = Buffer.from(value, 'hex');
  const text = bytes.toString(encoding);
  return Buffer.from(text, encoding).equals(bytes) ? text : undefined;
}

function encode(value: string, e: Encoder, encoding: TextEncoding): string | undefined {
  switch (e) {
    case 'hex':
      return Buffer.from(value, encoding).toString('hex').toUpperCase();
    case 'ascii':
      return hexToText(value, encoding);
    case 'uri':
      return encodeUriHeaderText(value, encoding);
  }
}

function refusedEmbedded(written: string, reason: string): string {
  return reason === DECODES_TO_LINE_BREAK ? `${written} holds CR, LF or NUL` : `${written}: ${reason}`;
}

function slotValue(scope: ValueScope, p: Extract<Piece, { kind: 'slot' }>): Built {
  const found = read(scope, p.source);
  if (found === undefined) return { ok: false, why: 'missing', detail: `${p.written} has no value` };
  if (typeof found !== 'string') return { ok: false, why: 'refused', detail: refusedEmbedded(p.written, found.undecodable) };
  let value: string | undefined = found;
  for (const e of p.encoders) {
    value = encode(value, e, scope.encoding);
    if (value === undefined) return { ok: false, why: 'refused', detail: `${p.written}: the value is not hex, or not text once decoded` };
  }
  return { ok: true, value };
}

export function buildValue(t: Template, scope: ValueScope): Built {
  if (t.literal !== undefined) return { ok: true, value: t.literal };
  let out = '';
  for (const p of t.pieces) {
    if (p.kind === 'text') {
      out += p.text;
      continue;
    }
    const v = slotValue(scope, p);
    if (!v.ok) return v;
    if (LINE_BREAKING.test(v.value)) return { ok: false, why: 'refused', detail: `${p.written} holds CR, LF or NUL` };
    out += v.value;
  }
  return { ok: true, value: out };
}
