import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUriHeaderText, encodeUriHeaderText, joinUriHeaders, splitUriHeaders } from './uri-headers.js';
import { findBracketedUri, splitList } from './name-addr.js';

describe('headers embedded in a SIP URI (RFC 3261 §19.1.1)', () => {
  it('escapes what hvalue may not carry, the way Genesys expects UUI in Refer-To', () => {
    expect(encodeUriHeaderText('XXcfo|64f0c3a1e2b74d1c9c2a;encoding=ascii', 'latin1')).toBe('XXcfo%7C64f0c3a1e2b74d1c9c2a%3Bencoding%3Dascii');
    expect(encodeUriHeaderText('a b&c%d"e,f@g', 'latin1')).toBe('a%20b%26c%25d%22e%2Cf%40g');
  });

  it('leaves unreserved and hnv-unreserved characters alone', () => {
    expect(encodeUriHeaderText("az09-_.!~*'()[]/?:+$", 'latin1')).toBe("az09-_.!~*'()[]/?:+$");
  });

  it('encodes UTF-8 text as its bytes', () => {
    expect(encodeUriHeaderText('é', 'utf8')).toBe('%C3%A9');
    expect(decodeUriHeaderText('%C3%A9', 'utf8')).toEqual({ ok: true, text: 'é' });
  });

  it.each(['%0D%0AVia: evil', 'a%0Ab', 'a%0db', 'x%00y'])('refuses %s: it would break a header line', (escaped) => {
    expect(decodeUriHeaderText(escaped, 'latin1')).toEqual({ ok: false, reason: 'decodes to CR, LF or NUL' });
  });

  it('refuses a malformed escape', () => {
    expect(decodeUriHeaderText('ab%4', 'latin1').ok).toBe(false);
    expect(decodeUriHeaderText('ab%zz', 'latin1').ok).toBe(false);
  });

  it('round-trips any text without CR, LF or NUL, in either encoding', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.constantFrom('latin1' as const, 'utf8' as const), (raw, enc) => {
        const text = Buffer.from(Buffer.from(raw, enc))
          .toString(enc)
          .replace(/[\r\n\0]/g, '');
        const encoded = encodeUriHeaderText(text, enc);
        expect(encoded).toMatch(/^[A-Za-z0-9\-_.!~*'()[\]/?:+$%]*$/);
        expect(decodeUriHeaderText(encoded, enc)).toEqual({ ok: true, text });
      }),
    );
  });

  it('splits and joins the header part of a URI without touching it', () => {
    const uri = 'sip:+1444@host;transport=udp?User-to-User=ab%3Bencoding%3Dhex&Subject=hi';
    const parts = splitUriHeaders(uri);
    expect(parts).toEqual({
      base: 'sip:+1444@host;transport=udp',
      headers: [
        { name: 'User-to-User', value: 'ab%3Bencoding%3Dhex' },
        { name: 'Subject', value: 'hi' },
      ],
    });
    expect(joinUriHeaders(parts)).toBe(uri);
  });

  it('finds the bracketed URI past a quoted display name with < and , in it', () => {
    const [first, second] = splitList('"Bob, <boss>" <sip:b@h?X=1>;q=1, <sip:c@h>');
    expect(findBracketedUri(first as string)?.uri).toBe('sip:b@h?X=1');
    expect(findBracketedUri(second as string)?.uri).toBe('sip:c@h');
  });
});
