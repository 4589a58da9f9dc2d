import { describe, expect, it } from 'vitest';
import { parseMessage } from '../sip/message.js';
import { parseUui } from './codec.js';
import { lintMessageUui, uuiCopies } from './in-message.js';
import { lintUuiValues } from './lint.js';

const codes = (value: string): string[] => lintUuiValues(parseUui(value)).map((f) => f.code);

describe('UUI codec (RFC 7433)', () => {
  it('parses data and params; no encoding means hex', () => {
    const [v] = parseUui('00436F6E74657874313233;purpose=isdn-uui;content=isdn-uui');
    expect(v).toMatchObject({ data: '00436F6E74657874313233', encoding: 'hex', encodingDeclared: false, pd: undefined });
    expect(v?.params).toEqual([
      { name: 'purpose', value: 'isdn-uui' },
      { name: 'content', value: 'isdn-uui' },
    ]);
  });

  it('reads several comma-separated values', () => {
    expect(parseUui('0011;encoding=hex, 0022;encoding=hex').map((v) => v.data)).toEqual(['0011', '0022']);
  });
});

describe('UUI lint (Genesys rules)', () => {
  it('passes the Kore vector value', () => {
    expect(codes('00436F6E74657874313233;encoding=hex;purpose=isdn-uui;content=isdn-uui')).toEqual([]);
    expect(codes('XXcfo|64f0c3a1e2b74d1c9c2a;encoding=ascii')).toEqual([]);
  });

  it.each([
    ['', 'empty'],
    ['00AB;encoding=base64', 'unknown-encoding'],
    ['00ABC;encoding=hex', 'encoding-mismatch'],
    ['hello', 'encoding-mismatch'],
    ['XXa\u0001b;encoding=ascii', 'non-printable'],
    ['00A1B2C3', 'high-octet'],
    [`00${'41'.repeat(64)}`, 'too-long'],
    ['4142;encoding=hex', 'missing-pd'],
    ['cfo|123;encoding=ascii', 'missing-pd'],
    ['0011, 0022', 'duplicate'],
  ])('flags %j as %s', (value, code) => {
    expect(codes(value)).toContain(code);
  });

  it('does not flag a first octet Genesys keeps because pd= is given', () => {
    expect(codes('4142;encoding=hex;pd=00')).toEqual([]);
  });

  it('finds UUI in header lines and in Refer-To URIs, and flags the two copies', () => {
    const m = parseMessage(
      Buffer.from(
        'REFER sip:x@h SIP/2.0\r\nCSeq: 3 REFER\r\nRefer-To: <sip:a@h?user-to-user=XXa%3Bencoding%3Dascii>\r\nUser-To-User: XXb;encoding=ascii\r\n\r\n',
      ),
    );
    expect(uuiCopies(m).map((c) => [c.where, c.values[0]?.data])).toEqual([
      ['Refer-To URI', 'XXa'],
      ['header', 'XXb'],
    ]);
    expect(lintMessageUui(m).map((f) => f.code)).toEqual(['duplicate']);
  });

  it('User-to-User and x-User-to-User together are no duplicate: Genesys takes User-to-User, and the lint says the x- copy is ignored', () => {
    const m = parseMessage(
      Buffer.from('INVITE sip:x@h SIP/2.0\r\nCSeq: 1 INVITE\r\nx-User-to-User: 0041;encoding=hex\r\nUser-to-User: 0042;encoding=hex\r\n\r\n'),
    );
    expect(lintMessageUui(m).map((f) => f.code)).toEqual(['x-ignored']);
    const twoX = parseMessage(
      Buffer.from('INVITE sip:x@h SIP/2.0\r\nCSeq: 1 INVITE\r\nx-User-to-User: 0041;encoding=hex\r\nx-User-to-User: 0042;encoding=hex\r\n\r\n'),
    );
    expect(lintMessageUui(twoX).map((f) => f.code)).toEqual(['duplicate']);
  });
});
