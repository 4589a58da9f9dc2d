import { headerKey } from './header-name.js';
import { describe, expect, it } from 'vitest';
import { vector, vectorNames } from '../../test/fixtures.js';
import { methodOf, parseMessage, serializeMessage, serializeToBuffer, SipParseError } from './message.js';

describe('SIP message model', () => {
  it.each(vectorNames)('serialises %s back to the identical bytes', (name) => {
    const bytes = vector(name);
    expect(serializeToBuffer(parseMessage(bytes)).equals(bytes)).toBe(true);
  });

  it('keeps header names exactly as received and in order', () => {
    const m = parseMessage(vector('genesys-invite.sip'));
    expect(m.headers.map((h) => h.name).slice(-5)).toEqual(['x-inin-cnv', 'x-inin-crn', 'user-to-user', 'Content-Type', 'Content-Length']);
  });

  it('reads whitespace before the colon, folded lines and bare LF line ends', () => {
    const m = parseMessage(Buffer.from('OPTIONS sip:a@b SIP/2.0\nVia : SIP/2.0/UDP h\nSubject: one\n  two\n\n'));
    expect(m.headers).toEqual([
      { name: 'Via', key: 'via', value: 'SIP/2.0/UDP h' },
      { name: 'Subject', key: 'subject', value: 'one two' },
    ]);
    expect(serializeMessage(m)).toBe('OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nSubject: one two\r\nContent-Length: 0\r\n\r\n');
  });

  it('states the real body length in Content-Length, keeping its spelling (compact l)', () => {
    const m = parseMessage(Buffer.from('MESSAGE sip:a@b SIP/2.0\r\nCSeq: 1 MESSAGE\r\nl: 99\r\n\r\nhi'));
    expect(serializeMessage(m)).toBe('MESSAGE sip:a@b SIP/2.0\r\nCSeq: 1 MESSAGE\r\nl: 2\r\n\r\nhi');
  });

  it('cuts a datagram body to Content-Length', () => {
    const m = parseMessage(Buffer.from('MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 2\r\n\r\nhijunk'));
    expect(m.body).toBe('hi');
  });

  it('counts bytes, not characters, for a UTF-8 body', () => {
    const m = parseMessage('MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 2\r\n\r\né');
    expect(serializeMessage(m)).toContain('Content-Length: 2\r\n');
  });

  it('reads status lines, and the method of a response from its CSeq', () => {
    const m = parseMessage(Buffer.from('SIP/2.0 486 Busy Here\r\nCSeq: 7 INVITE\r\n\r\n'));
    expect(m.start).toEqual({ kind: 'response', version: 'SIP/2.0', status: 486, reason: 'Busy Here' });
    expect(methodOf(m)).toBe('INVITE');
  });

  it.each([
    ['', 'empty message'],
    ['hello world\r\n\r\n', 'not a SIP request or status line'],
    ['INVITE sip:a@b SIP/2.0\r\nno colon here\r\n\r\n', 'header line without a colon'],
    ['INVITE sip:a@b SIP/2.0\r\nBad Name: x\r\n\r\n', 'invalid header name'],
    ['INVITE sip:a@b SIP/2.0\r\nContent-Length: -1\r\n\r\n', 'invalid Content-Length'],
    // Found by `npm run fuzz`: a bare CR in a value would have been relayed, and a peer that ends
    // lines at CR would read the rest as a header line of its own.
    ['INVITE sip:a@b SIP/2.0\r\nSubject: a\rX-Injected: 1\r\n\r\n', 'bare CR or NUL in the value of "Subject"'],
    ['INVITE sip:a@b SIP/2.0\r\nSubject: a\u0000b\r\n\r\n', 'bare CR or NUL in the value of "Subject"'],
    // Also found by the fuzzer: a response without CSeq has no method, and rules scoped by method
    // threw on it long after parsing.
    ['SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h\r\n\r\n', 'response without a CSeq method'],
  ])('refuses %j with a clear error', (text, message) => {
    expect(() => parseMessage(Buffer.from(text))).toThrow(SipParseError);
    expect(() => parseMessage(Buffer.from(text))).toThrow(message);
  });

  it('a header named like an object property (__proto__, constructor, toString) is a header like any other', () => {
    expect(['__proto__', 'constructor', 'toString', 'I'].map(headerKey)).toEqual(['__proto__', 'constructor', 'tostring', 'call-id']);
  });
});
