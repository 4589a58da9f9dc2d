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
import { decodeUriHeaderText, encodeUriHeaderText } from '../sip/uri-headers.js';
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

/** The user part of the first SIP URI in a header value or request-URI, without its parameters. */
export function uriUser(text: string): string | undefined {
  const uri = findBracketedUri(text)?.uri ?? text;
  const user = /sips?:([^@;?>]+)(?:;[^@?>]*)?@/i.exec(uri)?.[1];
  return user === undefined || user === '' ? undefined : user;
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

function embedded(scope: ValueScope, name: string): string | undefined {
  const key = headerKey(name);
  let found: string | undefined;
  for (const h of scope.headers) {
    if (found !== undefined || !URI_CARRIERS.has(h.key)) continue;
    mapEmbedded(h.value, (list) => {
      const e = found === undefined ? list.find((x) => embeddedKey(x, scope.encoding) === key) : undefined;
      if (e !== undefined) {
        const decoded = decodeUriHeaderText(e.value, scope.encoding);
        found = decoded.ok ? decoded.text : '\0'; // refused below, with the rest
      }
      return list;
    });
  }
  return found;
}

function read(scope: ValueScope, s: Source): string | undefined {
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

function encode(value: string, e: Encoder, encoding: TextEncoding): string | undefined {
  switch (e) {
    case 'hex':
      return Buffer.from(value, encoding).toString('hex').toUpperCase();
    case 'ascii':
      return /^(?:[0-9A-Fa-f]{2})*$/.test(value) ? Buffer.from(value, 'hex').toString('latin1') : undefined;
    case 'uri':
      return encodeUriHeaderText(value, encoding);
  }
}

function slotValue(scope: ValueScope, p: Extract<Piece, { kind: 'slot' }>): Built {
  let value = read(scope, p.source);
  if (value === undefined) return { ok: false, why: 'missing', detail: `${p.written} has no value` };
  for (const e of p.encoders) {
    value = encode(value, e, scope.encoding);
    if (value === undefined) return { ok: false, why: 'refused', detail: `${p.written}: the value is not hex` };
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
