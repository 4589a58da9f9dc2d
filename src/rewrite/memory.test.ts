import { describe, expect, it } from 'vitest';
import { rulesFor, sip } from '../../test/fixtures.js';
import { parseMessage, serializeToBuffer } from '../sip/message.js';
import { MAX_MEMORY_VALUE, type CallMemory } from './memory.js';
import { lintMessageUui } from '../uui/in-message.js';
import { rewrite } from './rewrite.js';

const head = (m: Buffer) => m.toString('latin1').split('\r\n\r\n')[0] as string;
/** The message as sipcase would send it untouched (serialising adds Content-Length). */
const asIs = (m: Buffer) => head(serializeToBuffer(parseMessage(m)));

/** Rewrites messages of one call in order, a toward b or b toward a, carrying the call's memory. */
function call(rules: ReturnType<typeof rulesFor>, steps: { from: 'a' | 'b'; message: Buffer }[]) {
  let memory: CallMemory = new Map();
  return steps.map(({ from, message }) => {
    const r = rewrite(rules, parseMessage(message), { from, to: from === 'a' ? 'b' : 'a', memory });
    memory = new Map([...memory, ...r.remembered]);
    return { out: head(serializeToBuffer(r.message)), changes: r.changes, memory };
  });
}

const INVITE = sip(
  'INVITE sip:+15557770000;tgrp=TG-1@h SIP/2.0',
  'From: "Caller" <sip:+13125550100@byoc.example>;tag=1',
  'To: <sip:+15557770000@h>',
  'Call-ID: call-1',
  'CSeq: 1 INVITE',
  'X-Session: 64f0c3a1',
  'user-to-user: 00A1B2C3;encoding=hex',
);
const REFER = (...extra: string[]) => sip('REFER sip:x@h SIP/2.0', 'Call-ID: call-1-b', 'CSeq: 2 REFER', 'Refer-To: <sip:agent@pbx>', ...extra);

describe('remember: a value from one leg, used on the other leg later in the call', () => {
  const rules = rulesFor([
    { name: 'keep', when: { from: 'a', methods: ['INVITE'] }, actions: [{ action: 'remember', name: 'uui', value: '${header:User-to-User}' }] },
    {
      name: 'use',
      when: { from: 'b', methods: ['REFER'], absent: ['User-to-User'] },
      actions: [{ action: 'embed', header: 'User-to-User', value: '${memory.uui}' }],
    },
  ]);

  it("b's REFER gets the UUI a's INVITE carried, %-encoded in Refer-To", () => {
    const [inv, ref] = call(rules, [
      { from: 'a', message: INVITE },
      { from: 'b', message: REFER() },
    ]);
    expect(inv?.changes).toEqual([{ rule: 'keep', action: 'remember', header: 'memory.uui', detail: '"00A1B2C3;encoding=hex"' }]);
    expect(ref?.out).toContain('\r\nRefer-To: <sip:agent@pbx?User-to-User=00A1B2C3%3Bencoding%3Dhex>');
  });

  it('a REFER with UUI anywhere (line or embedded, any case) is out of scope: left as it came', () => {
    for (const refer of [
      REFER('USER-TO-USER: 00FF;encoding=hex'),
      sip('REFER sip:x@h SIP/2.0', 'CSeq: 2 REFER', 'Refer-To: <sip:agent@pbx?user-to-user=00FF>'),
    ]) {
      const [, ref] = call(rules, [
        { from: 'a', message: INVITE },
        { from: 'b', message: refer },
      ]);
      expect(ref?.out).toBe(asIs(refer));
    }
  });

  it('memory is per call: a call whose INVITE had no UUI sees nothing of another call', () => {
    call(rules, [{ from: 'a', message: INVITE }]);
    const [, ref] = call(rules, [
      { from: 'a', message: sip('INVITE sip:b@h SIP/2.0', 'CSeq: 1 INVITE') },
      { from: 'b', message: REFER() },
    ]);
    expect(ref?.out).toBe(asIs(REFER()));
    expect(ref?.changes[0]?.detail).toBe('skipped: ${memory.uui} has no value');
  });

  it('a later message that carries no value leaves the remembered one; one that carries another replaces it', () => {
    const steps = call(rules, [
      { from: 'a', message: INVITE },
      { from: 'a', message: sip('INVITE sip:b@h SIP/2.0', 'CSeq: 2 INVITE') },
      { from: 'a', message: sip('INVITE sip:b@h SIP/2.0', 'CSeq: 3 INVITE', 'User-to-User: 00EE;encoding=hex') },
    ]);
    expect(steps.map((s) => s.memory.get('uui'))).toEqual(['00A1B2C3;encoding=hex', '00A1B2C3;encoding=hex', '00EE;encoding=hex']);
  });
});

describe('values built from parts', () => {
  const build = (value: string, message = INVITE) => {
    const rules = rulesFor([{ name: 'build', actions: [{ action: 'set', header: 'X-Built', value }] }]);
    const r = rewrite(rules, parseMessage(message), { from: 'a', to: 'b' });
    return {
      line: head(serializeToBuffer(r.message))
        .split('\r\n')
        .find((l) => l.startsWith('X-Built:')),
      changes: r.changes,
    };
  };

  it("Kore's seed value, XXcfo|<session id>|<intent>;encoding=ascii, from headers and memory", () => {
    const withIntent = sip('INVITE sip:b@h SIP/2.0', 'CSeq: 1 INVITE', 'X-Session: 64f0c3a1', 'X-Intent: billing');
    expect(build('XXcfo|${header:x-session}|${header:X-INTENT};encoding=ascii', withIntent).line).toBe('X-Built: XXcfo|64f0c3a1|billing;encoding=ascii');
  });

  it('message parts: Call-ID, From, To and request-URI users (user parameters left out)', () => {
    expect(build('${call-id} ${from.user} ${to.user} ${ruri.user}').line).toBe('X-Built: call-1 +13125550100 +15557770000 +15557770000');
  });

  it('encoders: ascii to hex (a valid hex UUI with its discriminator), hex back to ascii, %-encoding', () => {
    expect(build('04${header:X-Session|hex};encoding=hex').line).toBe('X-Built: 043634663063336131;encoding=hex');
    expect(build('${header:X-Session|hex|ascii}').line).toBe('X-Built: 64f0c3a1');
    expect(build('${header:From|uri}').line).toBe('X-Built: %22Caller%22%20%3Csip:+13125550100%40byoc.example%3E%3Btag%3D1');
  });

  it('|ascii gives text in the encoding the message came in: on the wire (UTF-8) the bytes C3A9 leave as C3A9, "é"', () => {
    const rules = rulesFor([{ name: 'x', actions: [{ action: 'set', header: 'X-T', value: '${header:X-Hex|ascii}' }] }]);
    const onTheWire = (hex: string) =>
      rewrite(rules, parseMessage(sip('INVITE sip:b@h SIP/2.0', 'CSeq: 1 INVITE', `X-Hex: ${hex}`).toString('utf8')), { from: 'a', to: 'b' });
    const out = serializeToBuffer(onTheWire('4AC3A9').message);
    expect(out.includes(Buffer.from('X-T: J\u00e9\r\n', 'utf8'))).toBe(true);
    expect(onTheWire('4AFF').changes[0]?.detail).toBe('skipped: ${header:X-Hex|ascii}: the value is not hex, or not text once decoded');
  });

  it("converts an ascii UUI to hex in one rule (the rules reference's uui-ascii-to-hex), lint-clean", () => {
    const rules = rulesFor([
      {
        name: 'uui-ascii-to-hex',
        when: { header: { name: 'User-to-User', matches: ';\\s*encoding=ascii', flags: 'i' } },
        actions: [
          { action: 'remember', name: 'uuiData', value: '${header:User-to-User}', match: '^XX([^;]*)' },
          { action: 'set', header: 'User-to-User', value: '04${memory.uuiData|hex};encoding=hex' },
        ],
      },
    ]);
    const r = rewrite(rules, parseMessage(sip('INVITE sip:b@h SIP/2.0', 'CSeq: 1 INVITE', 'User-To-User: XXcfo|64f0;encoding=ascii')), { from: 'a', to: 'b' });
    expect(r.message.headers.find((h) => h.key === 'user-to-user')).toEqual({
      name: 'User-to-User',
      key: 'user-to-user',
      value: '0463666F7C36346630;encoding=hex',
    });
    expect(lintMessageUui(r.message)).toEqual([]);
  });

  it('a template with an absent part leaves the message alone and says which part: never a half-built header', () => {
    const r = build('XXcfo|${header:X-Missing};encoding=ascii');
    expect(r.line).toBeUndefined();
    expect(r.changes).toEqual([{ rule: 'build', action: 'set', header: 'X-Built', detail: 'skipped: ${header:X-Missing} has no value', skipped: true }]);
  });
});

describe('hostile values: no header injection, bounded memory', () => {
  const hostile = (refer: Buffer) => {
    const rules = rulesFor([
      { name: 'keep', actions: [{ action: 'remember', name: 'v', value: '${embedded:X-Evil}' }] },
      { name: 'use', actions: [{ action: 'set', header: 'X-Copy', value: '${memory.v}' }] },
    ]);
    return rewrite(rules, parseMessage(refer), { from: 'a', to: 'b' });
  };

  it.each(['%0D%0AVia:%20evil', 'a%0Ab', 'a%00b', 'a%0Db'])('an embedded %s (CR, LF or NUL once decoded) is neither remembered nor written', (evil) => {
    const r = hostile(sip('REFER sip:x@h SIP/2.0', 'CSeq: 2 REFER', `Refer-To: <sip:agent@pbx?X-Evil=${evil}>`));
    expect(r.remembered.size).toBe(0);
    expect(r.message.headers.some((h) => h.key === 'x-copy')).toBe(false);
    expect(r.changes.map((c) => c.detail)).toEqual(['skipped: ${embedded:X-Evil} holds CR, LF or NUL', 'skipped: ${memory.v} has no value']);
  });

  it.each(['hex', 'uri'])('an embedded value that does not decode is refused through |%s too (not written as 00 or %%00)', (encoder) => {
    const rules = rulesFor([{ name: 'x', actions: [{ action: 'set', header: 'X-T', value: `\${embedded:X-Evil|${encoder}}` }] }]);
    for (const [evil, detail] of [
      ['%ZZ', 'malformed escape at 0: "%ZZ"'],
      ['a%0D%0Ab', undefined],
    ] as const) {
      const r = rewrite(rules, parseMessage(sip('REFER sip:x@h SIP/2.0', 'CSeq: 2 REFER', `Refer-To: <sip:agent@pbx?X-Evil=${evil}>`)), { from: 'a', to: 'b' });
      const slot = `\${embedded:X-Evil|${encoder}}`;
      expect(r.changes[0]?.detail).toBe(detail === undefined ? `skipped: ${slot} holds CR, LF or NUL` : `skipped: ${slot}: ${detail}`);
      expect(r.message.headers.some((h) => h.key === 'x-t')).toBe(false);
    }
  });

  it('hex that decodes to CR LF is refused by the ascii encoder path too', () => {
    const rules = rulesFor([{ name: 'x', actions: [{ action: 'set', header: 'X-T', value: '${header:X-Hex|ascii}' }] }]);
    const r = rewrite(rules, parseMessage(sip('INVITE sip:b@h SIP/2.0', 'CSeq: 1 INVITE', 'X-Hex: 410D0A42')), { from: 'a', to: 'b' });
    expect(r.changes[0]?.detail).toBe('skipped: ${header:X-Hex|ascii} holds CR, LF or NUL');
    expect(r.message.headers.some((h) => h.key === 'x-t')).toBe(false);
  });

  it(`a value over ${MAX_MEMORY_VALUE} characters (10 KB here) is not remembered`, () => {
    const r = hostile(sip('REFER sip:x@h SIP/2.0', 'CSeq: 2 REFER', `Refer-To: <sip:agent@pbx?X-Evil=${'A'.repeat(10_240)}>`));
    expect(r.remembered.size).toBe(0);
    expect(r.changes[0]?.detail).toBe(`skipped: 10240 characters, over ${MAX_MEMORY_VALUE}`);
  });

  it('a regex keeps the part it names (its first group)', () => {
    const rules = rulesFor([{ name: 'k', actions: [{ action: 'remember', name: 'sid', value: '${header:User-to-User}', match: '^XXcfo\\|([0-9a-f]+)' }] }]);
    const r = rewrite(rules, parseMessage(sip('INVITE sip:b@h SIP/2.0', 'CSeq: 1 INVITE', 'User-to-User: XXcfo|64f0c3a1;encoding=ascii')), {
      from: 'a',
      to: 'b',
    });
    expect([...r.remembered]).toEqual([['sid', '64f0c3a1']]);
  });
});
