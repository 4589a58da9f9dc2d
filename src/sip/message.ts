/**
 * The SIP message model every rule works on: start line, headers in wire order with their names
 * exactly as received, and a body that is never touched. Parsing is lenient about what real
 * peers send (any case, space before the colon, folded lines, bare LF) and strict about what
 * cannot be SIP (no start line, a header line without a colon).
 */
import { headerKey, isHeaderName } from './header-name.js';

export interface Header {
  /** The name as it appears (or will appear) on the wire. */
  readonly name: string;
  /** What the name means: `headerKey(name)`, computed once, used for every comparison. */
  readonly key: string;
  /** The value with surrounding white space removed; folded lines joined by one space. */
  readonly value: string;
}

export type StartLine =
  | { readonly kind: 'request'; readonly method: string; readonly uri: string; readonly version: string }
  | { readonly kind: 'response'; readonly version: string; readonly status: number; readonly reason: string };

/**
 * How the text maps to bytes. `latin1` keeps arbitrary bytes exact (files, sockets);
 * `utf8` is what drachtio-srf hands over as strings.
 */
export type TextEncoding = 'latin1' | 'utf8';

export interface SipMessage {
  readonly start: StartLine;
  readonly headers: readonly Header[];
  readonly body: string;
  readonly encoding: TextEncoding;
}

export class SipParseError extends Error {
  override readonly name = 'SipParseError';
}

const REQUEST_LINE = /^([A-Za-z0-9\-.!%*_+`'~]+) +(\S+) +(SIP\/\d+\.\d+)$/;
const STATUS_LINE = /^(SIP\/\d+\.\d+) +([1-6]\d\d)(?: (.*))?$/;

export function parseStartLine(line: string): StartLine {
  const req = REQUEST_LINE.exec(line);
  if (req) return { kind: 'request', method: req[1] as string, uri: req[2] as string, version: req[3] as string };
  const res = STATUS_LINE.exec(line);
  if (res) {
    return { kind: 'response', version: res[1] as string, status: Number(res[2]), reason: res[3] ?? '' };
  }
  throw new SipParseError(`not a SIP request or status line: ${JSON.stringify(line.slice(0, 80))}`);
}

function parseHeaderLine(line: string): Header {
  const colon = line.indexOf(':');
  if (colon < 0) throw new SipParseError(`header line without a colon: ${JSON.stringify(line.slice(0, 80))}`);
  const name = line.charCodeAt(colon - 1) > 32 ? line.slice(0, colon) : line.slice(0, colon).trimEnd();
  if (!isHeaderName(name)) throw new SipParseError(`invalid header name: ${JSON.stringify(name.slice(0, 80))}`);
  const value = line.slice(colon + 1).trim();
  // A bare CR (lines end at LF) or a NUL is no part of a header value (RFC 3261 §25.1); some
  // parsers end a line at a bare CR, so relaying one could make a header line on the other leg.
  if (value.includes('\r') || value.includes('\0')) throw new SipParseError(`bare CR or NUL in the value of ${JSON.stringify(name.slice(0, 80))}`);
  return { name, key: headerKey(name), value };
}

/** Splits the head into logical lines: CRLF or bare LF, with folded continuation lines joined. */
function headLines(head: string): string[] {
  const lines: string[] = [];
  let from = 0;
  while (from <= head.length) {
    let end = head.indexOf('\n', from);
    if (end < 0) end = head.length;
    const physical = head.slice(from, end > from && head.charCodeAt(end - 1) === 13 ? end - 1 : end);
    const first = physical.charCodeAt(0);
    if ((first === 32 || first === 9) && lines.length > 1) {
      lines[lines.length - 1] = `${(lines[lines.length - 1] as string).trimEnd()} ${physical.trim()}`;
    } else {
      lines.push(physical);
    }
    from = end + 1;
  }
  return lines;
}

/** The first empty line (CRLF or bare LF) ends the head; found by hopping from line end to line end. */
function findBodyStart(text: string): { headEnd: number; bodyStart: number } {
  for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', nl + 1)) {
    const next = text.charCodeAt(nl + 1);
    const lineEnd = nl > 0 && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    if (next === 10) return { headEnd: lineEnd, bodyStart: nl + 2 };
    if (next === 13 && text.charCodeAt(nl + 2) === 10) return { headEnd: lineEnd, bodyStart: nl + 3 };
  }
  return { headEnd: text.length, bodyStart: text.length };
}

/**
 * Parses one SIP message. A Buffer is read byte for byte (latin1) so that any body survives;
 * a string is taken as drachtio-srf gives it (already UTF-8 decoded).
 */
export function parseMessage(input: string | Buffer): SipMessage {
  const encoding: TextEncoding = typeof input === 'string' ? 'utf8' : 'latin1';
  const text = typeof input === 'string' ? input : input.toString('latin1');
  const first = text.charCodeAt(0);
  const trimmed = first === 13 || first === 10 ? text.replace(/^(?:\r?\n)+/, '') : text; // RFC 3261 §7.5: ignore leading CRLFs
  const { headEnd, bodyStart } = findBodyStart(trimmed);
  const lines = headLines(trimmed.slice(0, headEnd));
  const startLine = lines[0];
  if (startLine === undefined || startLine === '') throw new SipParseError('empty message');
  const start = parseStartLine(startLine);
  const headers: Header[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line !== '') headers.push(parseHeaderLine(line));
  }
  const body = bodyFromLength(trimmed.slice(bodyStart), headers, encoding);
  const message = { start, headers, body, encoding };
  // A response is matched to its request by CSeq (RFC 3261 §8.1.3.3): without one it is refused
  // here, so that nothing after parsing has to cope with a response of no method.
  if (start.kind === 'response') methodOf(message);
  return message;
}

/** On a datagram the body is the rest of the bytes, cut to Content-Length when that is shorter. */
function bodyFromLength(rest: string, headers: readonly Header[], encoding: TextEncoding): string {
  const declared = headers.find((h) => h.key === 'content-length');
  if (declared === undefined) return rest;
  const length = Number(declared.value);
  if (!Number.isInteger(length) || length < 0) {
    throw new SipParseError(`invalid Content-Length: ${JSON.stringify(declared.value.slice(0, 40))}`);
  }
  // latin1 is one byte a character; only a UTF-8 body needs counting, and cutting, as bytes.
  if (encoding === 'latin1') return length >= rest.length ? rest : rest.slice(0, length);
  if (length >= Buffer.byteLength(rest, 'utf8')) return rest;
  return Buffer.from(rest, 'utf8').subarray(0, length).toString('utf8');
}

export function formatStartLine(start: StartLine): string {
  return start.kind === 'request'
    ? `${start.method} ${start.uri} ${start.version}`
    : `${start.version} ${start.status}${start.reason === '' ? '' : ` ${start.reason}`}`;
}

export function bodyLength(message: SipMessage): number {
  return Buffer.byteLength(message.body, message.encoding);
}

/**
 * Serialises with CRLF line ends. Content-Length always states the body's real length, keeping
 * the name the message used (or adding `Content-Length` when there was none).
 */
export function serializeMessage(message: SipMessage): string {
  const length = String(bodyLength(message));
  let hasLength = false;
  let out = `${formatStartLine(message.start)}\r\n`;
  for (const h of message.headers) {
    const isLength = h.key === 'content-length';
    hasLength ||= isLength;
    out += `${h.name}: ${isLength ? length : h.value}\r\n`;
  }
  if (!hasLength) out += `Content-Length: ${length}\r\n`;
  return `${out}\r\n${message.body}`;
}

export function serializeToBuffer(message: SipMessage): Buffer {
  return Buffer.from(serializeMessage(message), message.encoding);
}

/** The method a message belongs to: the request's own, or the one its CSeq names for a response. */
export function methodOf(message: SipMessage): string {
  if (message.start.kind === 'request') return message.start.method;
  const cseq = message.headers.find((h) => h.key === 'cseq');
  const method = cseq?.value.split(/\s+/)[1];
  if (method === undefined) throw new SipParseError('response without a CSeq method');
  return method;
}

/** The sequence number of a message's CSeq (a response carries its request's), if it has a readable one. */
export function cseqNumber(message: SipMessage): number | undefined {
  const value = message.headers.find((h) => h.key === 'cseq')?.value;
  const n = value === undefined ? undefined : /^\s*(\d{1,10})\b/.exec(value)?.[1];
  return n === undefined ? undefined : Number(n);
}
