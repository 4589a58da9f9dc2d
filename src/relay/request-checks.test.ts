import { describe, expect, it } from 'vitest';
import { sip } from '../../test/fixtures.js';
import { parseMessage } from '../sip/message.js';
import { outbound, outboundBytes } from './outbound.js';
import { refuseRelay } from './request-checks.js';

const checked = (maxBytes: number, ...lines: string[]) => {
  const message = parseMessage(sip(...lines));
  return refuseRelay(message, outbound(message), maxBytes);
};

describe('what a rewritten request must pass before it is sent on', () => {
  const info = ['INFO sip:a@b SIP/2.0', 'Call-ID: c', 'CSeq: 3 INFO', 'Max-Forwards: 70', 'Content-Type: text/plain'];

  it('counts the bytes sipcase hands on: header lines and body, not the per-leg headers', () => {
    const message = parseMessage(sip(...info, 'X-A: 1234', '', 'hello'));
    // "Content-Type: text/plain\r\n" 26, "X-A: 1234\r\n" 11, "Max-Forwards: 69\r\n" 18, body "hello\r\n\r\n" 9.
    expect(outboundBytes(outbound(message))).toBe(26 + 11 + 18 + 9);
  });

  it('relays what is within the size limit', () => {
    expect(checked(1000, ...info, '', 'x'.repeat(900))).toBeUndefined();
  });

  it('answers 513 for a request over the limit (RFC 3261 §21.5.14)', () => {
    expect(checked(1000, ...info, '', 'x'.repeat(1000))).toEqual({ status: 513, reason: 'Message Too Large', why: 'too_large' });
  });

  it('answers 483 when no hop is left', () => {
    expect(checked(1000, 'OPTIONS sip:a@b SIP/2.0', 'Call-ID: c', 'CSeq: 1 OPTIONS', 'Max-Forwards: 0')).toEqual({
      status: 483,
      reason: 'Too Many Hops',
      why: 'hops',
    });
  });

  it('answers 400 for a REFER without a Refer-To to act on', () => {
    expect(checked(1000, 'REFER sip:a@b SIP/2.0', 'Call-ID: c', 'CSeq: 2 REFER')).toEqual({ status: 400, reason: 'Missing Refer-To', why: 'malformed' });
  });

  it("answers 422 with Min-SE: 90 to a session interval under RFC 4028's floor (drachtio-server aborts on a tiny one)", () => {
    const invite = ['INVITE sip:a@b SIP/2.0', 'Call-ID: c', 'CSeq: 1 INVITE', 'Supported: timer'];
    expect(checked(1000, ...invite, 'Session-Expires: 4;refresher=uac')).toEqual({
      status: 422,
      reason: 'Session Interval Too Small',
      why: 'session_interval',
      headers: { 'Min-SE': '90' },
    });
    expect(checked(1000, ...invite, 'Session-Expires: 90;refresher=uac')).toBeUndefined();
    expect(checked(1000, ...invite, 'x: 1800')).toBeUndefined();
  });
});
