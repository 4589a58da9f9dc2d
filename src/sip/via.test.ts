import { describe, expect, it } from 'vitest';
import { viaAddress, viaValues } from './via.js';

describe('Via headers (RFC 3261 §18.2.1)', () => {
  it('lists every Via value top first: several lines, comma lists, compact form, any case', () => {
    const raw =
      'INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1, SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK2\r\nv: SIP/2.0/TCP 10.0.0.3;branch=z9hG4bK3\r\nCall-ID: x\r\n\r\nVia: body text\r\n';
    expect(viaValues(raw).map(viaAddress)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
  });

  it('takes received= over the sent-by, as the next hop stamped it', () => {
    expect(viaAddress('SIP/2.0/UDP caller.example.com:5060;branch=z9hG4bK1;rport=5060;received=192.0.2.7')).toBe('192.0.2.7');
    expect(viaAddress('SIP/2.0/UDP 198.51.100.9:5060;received=192.0.2.7;branch=z9hG4bK1')).toBe('192.0.2.7');
  });

  it('takes an IP sent-by when nothing was stamped (the next hop saw that very address)', () => {
    expect(viaAddress('SIP/2.0/UDP 192.0.2.7:5070;branch=z9hG4bK1;rport')).toBe('192.0.2.7');
    expect(viaAddress('SIP/2.0/TLS [2001:db8::7]:5061;branch=z9hG4bK1')).toBe('2001:db8::7');
  });

  it('gives nothing for a domain sent-by without received=, or for what is no Via', () => {
    expect(viaAddress('SIP/2.0/UDP caller.example.com;branch=z9hG4bK1')).toBeUndefined();
    expect(viaAddress('garbage')).toBeUndefined();
  });
});
