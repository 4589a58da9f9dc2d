import { describe, expect, it } from 'vitest';
import { presetRules, sip, vector } from '../../test/fixtures.js';
import { rewrite } from '../rewrite/rewrite.js';
import { parseMessage } from '../sip/message.js';
import { contextKey, referFacts } from './refer-facts.js';

const preset = presetRules();
/** A vector as the preset rules send it on toward Genesys. */
const toGenesys = (name: string) => rewrite(preset, parseMessage(vector(name)), { from: 'kore', to: 'genesys' }).message;
const refer = (...lines: string[]) => parseMessage(sip('REFER sip:a@b SIP/2.0', 'Call-ID: r1', 'CSeq: 3 REFER', ...lines));

describe('what a REFER asks, and whether Genesys would read its UUI (Genesys reads it on a REFER from the Refer-To URI only)', () => {
  it('UUI embedded in Refer-To, one copy, clean: embedded, readable; the embedded names listed', () => {
    const f = referFacts(toGenesys('kore-refer-uui-header.sip'));
    expect(f).toEqual({
      target: '<sip:+14445556666@byoc.example.pure.cloud?User-to-User=XXcfo%7C64f0c3a1e2b74d1c9c2a%3Bencoding%3Dascii>',
      embedded: ['User-to-User'],
      uui: 'embedded',
      verdict: 'readable',
      findings: [],
      context: 'XXcfo|64f0c3a1e2b74d1c9c2a',
    });
  });

  it('UUI as a header line only: header, unreadable (not in Refer-To)', () => {
    const f = referFacts(parseMessage(vector('kore-refer-uui-header.sip')));
    expect(f).toMatchObject({ uui: 'header', verdict: 'unreadable', findings: ['not-in-refer-to'], embedded: [] });
  });

  it('a header copy and an embedded copy: embedded, but unreadable, since Genesys discards both (duplicate)', () => {
    const f = referFacts(parseMessage(vector('kore-refer-uui-both.sip')));
    expect(f).toMatchObject({ uui: 'embedded', verdict: 'unreadable', findings: ['duplicate'] });
  });

  it('embedded, but hex with an octet over 127: embedded, unreadable, with the lint finding', () => {
    const f = referFacts(refer('Refer-To: <sip:agent@example.com?User-to-User=00FF%3Bencoding%3Dhex>'));
    expect(f).toMatchObject({ uui: 'embedded', verdict: 'unreadable', findings: ['high-octet'], context: '00FF' });
  });

  it('no UUI anywhere: none; a tel: target with parameters', () => {
    expect(referFacts(refer('Refer-To: <tel:+13125550100;phone-context=+1>'))).toEqual({
      target: '<tel:+13125550100;phone-context=+1>',
      embedded: [],
      uui: 'none',
      verdict: 'none',
      findings: [],
      context: undefined,
    });
  });
});

describe('the context key a fallback INVITE is matched by', () => {
  it('is the first UUI payload, hex in upper case, whatever carries it', () => {
    const invite = (line: string) => parseMessage(sip('INVITE sip:a@b SIP/2.0', 'Call-ID: i', 'CSeq: 1 INVITE', line));
    expect(contextKey(invite('User-to-User: 00ab12;encoding=hex'))).toBe('00AB12');
    expect(contextKey(invite('x-user-to-user: XXcfo|1;encoding=ascii'))).toBe('XXcfo|1');
    expect(contextKey(invite('X-Other: 1'))).toBeUndefined();
  });
});
