/**
 * Headers embedded in a SIP URI (RFC 3261 §19.1.1): `<sip:bob@host?User-to-User=ab%3Bencoding%3Dhex>`.
 * Names and values stay in their escaped wire form until someone needs the text, so a rule that only
 * changes a name never re-encodes (and never double-encodes) a value. Decoding refuses CR, LF and NUL:
 * an escaped `%0D%0A` must never turn into a header line of its own when the value is moved out.
 */
import type { TextEncoding } from './message.js';

export interface EmbeddedHeader {
  /** hname as on the wire (escaped). */
  readonly name: string;
  /** hvalue as on the wire (escaped). */
  readonly value: string;
}

export interface UriWithHeaders {
  /** The URI up to, not including, the `?`. */
  readonly base: string;
  readonly headers: readonly EmbeddedHeader[];
}

export function splitUriHeaders(uri: string): UriWithHeaders {
  const q = uri.indexOf('?');
  if (q < 0) return { base: uri, headers: [] };
  const headers = uri
    .slice(q + 1)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? { name: pair, value: '' } : { name: pair.slice(0, eq), value: pair.slice(eq + 1) };
    });
  return { base: uri.slice(0, q), headers };
}

export function joinUriHeaders({ base, headers }: UriWithHeaders): string {
  if (headers.length === 0) return base;
  return `${base}?${headers.map((h) => `${h.name}=${h.value}`).join('&')}`;
}

/** hnv-unreserved and unreserved characters: the only ones that stand unescaped in hname/hvalue. */
const LITERAL = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()[]/?:+$") LITERAL[c.charCodeAt(0)] = 1;
const ESCAPED = Array.from({ length: 256 }, (_, b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`);

/** Escapes text for an hname or hvalue; each byte outside the allowed set becomes %XX. */
export function encodeUriHeaderText(text: string, encoding: TextEncoding): string {
  let out = '';
  let from = 0; // start of the run of literal characters not yet copied
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return encodeBytes(text, encoding); // not ASCII: escape the encoded bytes
    if (LITERAL[c] === 1) continue;
    out += text.slice(from, i) + (ESCAPED[c] as string);
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

function encodeBytes(text: string, encoding: TextEncoding): string {
  let out = '';
  for (const byte of Buffer.from(text, encoding)) out += LITERAL[byte] === 1 ? String.fromCharCode(byte) : (ESCAPED[byte] as string);
  return out;
}

export type DecodeResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string };

/** Text that may never come out of an embedded header: it would end or split a header line. */
const LINE_BREAKING = /[\r\n\0]/;

/** Unescapes an hname or hvalue; a malformed escape or a CR/LF/NUL is refused, never passed on. */
export const DECODES_TO_LINE_BREAK = 'decodes to CR, LF or NUL';

export function decodeUriHeaderText(escaped: string, encoding: TextEncoding): DecodeResult {
  const text = escaped.includes('%') ? unescapeBytes(escaped, encoding) : escaped;
  if (typeof text !== 'string') return text;
  if (LINE_BREAKING.test(text)) return { ok: false, reason: DECODES_TO_LINE_BREAK };
  return { ok: true, text };
}

function unescapeBytes(escaped: string, encoding: TextEncoding): string | { ok: false; reason: string } {
  const source = Buffer.from(escaped, encoding);
  const out = Buffer.allocUnsafe(source.length);
  let n = 0;
  for (let i = 0; i < source.length; i++) {
    const byte = source[i] as number;
    if (byte !== 0x25) {
      out[n++] = byte;
      continue;
    }
    const hex = source.toString('latin1', i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return { ok: false, reason: `malformed escape at ${i}: "%${hex}"` };
    out[n++] = parseInt(hex, 16);
    i += 2;
  }
  return out.toString(encoding, 0, n);
}
