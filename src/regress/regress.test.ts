import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { presetRules } from '../../test/fixtures.js';
import { callMemory, checkLeg } from './check.js';
import { absentKeys, directions, hdrsKey, miscase, testHeaderLines } from './plan.js';
import { readTrace, receivedOf, sentOf } from './trace.js';

const rules = presetRules();
const crlf = (s: string) => s.replaceAll('\n', '\r\n');

describe('what regress sends, from the rules', () => {
  it('one direction per peer, toward the peer it relays to', () => {
    expect(directions(rules)).toEqual([
      { from: 'genesys', to: 'kore' },
      { from: 'kore', to: 'genesys' },
    ]);
  });

  it('makes every rule act: case mis-cased, single twice, remove and to-uri once, a scope header once', () => {
    expect(miscase('User-to-User')).toBe('uSER-TO-uSER');
    expect(testHeaderLines(rules, { from: 'kore', to: 'genesys' })).toEqual(
      ['user-to-user: 00436F6E74657871;encoding=hex', 'user-to-user: 00436F6E74657872;encoding=hex', 'x-User-to-User: 00436F6E74657871;encoding=hex'].map(
        (l, i) => (i < 2 ? l.replace('user-to-user', 'uSER-TO-uSER') : l),
      ),
    );
    expect(hdrsKey(['A: 1', 'B: 2'])).toBe('A: 1\r\nB: 2\r\n');
    expect(hdrsKey([])).toBe('');
  });

  it('sends what a remember template reads, and knows which headers the hand-off wants left out', () => {
    expect(testHeaderLines(rules, { from: 'genesys', to: 'kore' })).toEqual([
      'x-User-to-User: 00436F6E74657871;encoding=hex',
      'uSER-TO-uSER: 00436F6E74657871;encoding=hex',
    ]);
    expect(absentKeys(rules, { from: 'kore', to: 'genesys' })).toEqual(new Set(['user-to-user', 'x-user-to-user']));
    expect(testHeaderLines(rules, { from: 'kore', to: 'genesys' }, absentKeys(rules, { from: 'kore', to: 'genesys' }))).toEqual([]);
  });
});

describe("a flow's memory, rebuilt from both traces in the order they were sent", () => {
  const dir = { from: 'genesys', to: 'kore' };
  const at = (s: string, sent = true) => ({ sent, at: `2026-12-02 05:00:0${s}`, text: '' });
  const invite = crlf('INVITE sip:k@y SIP/2.0\nCall-ID: a\nCSeq: 1 INVITE\nUser-to-User: 0041;encoding=hex\nContent-Length: 0\n\n');
  const refer = crlf('REFER sip:g@y SIP/2.0\nCall-ID: b\nCSeq: 3 REFER\nRefer-To: <sip:t@example.com>\nContent-Length: 0\n\n');

  it("the callee's REFER, sent after the caller's INVITE, is checked with the INVITE's UUI remembered", () => {
    const memory = callMemory(rules, dir, [{ ...at('1'), text: invite }], [{ ...at('3'), text: refer }]);
    expect(memory.get(invite)?.size).toBe(0);
    expect([...(memory.get(refer) ?? [])]).toEqual([['genesysUui', '0041;encoding=hex']]);
    const arrived = refer.replace('<sip:t@example.com>', '<sip:t@example.com?User-to-User=0041%3Bencoding%3Dhex>');
    expect(checkLeg(rules, { from: 'kore', to: 'genesys' }, [refer], [arrived], [], memory)).toEqual({ checked: 1, mismatches: [] });
    expect(checkLeg(rules, { from: 'kore', to: 'genesys' }, [refer], [refer], [], memory).mismatches).toEqual([
      'REFER at genesys: Refer-To: "<sip:t@example.com>" arrived; the rules emit "<sip:t@example.com?User-to-User=0041%3Bencoding%3Dhex>"',
    ]);
  });

  it('a REFER sent before the INVITE (by time) is checked without it', () => {
    const memory = callMemory(rules, dir, [{ ...at('5'), text: invite }], [{ ...at('3'), text: refer }]);
    expect(memory.get(refer)?.size).toBe(0);
  });
});

describe('the check of one leg against the dry run', () => {
  const dir = { from: 'kore', to: 'genesys' };
  const invite = (...lines: string[]) => crlf(`INVITE sip:x@y SIP/2.0\nCall-ID: a\nCSeq: 1 INVITE\n${lines.join('\n')}\nContent-Length: 0\n\n`);
  const sent = invite('uSER-TO-uSER: 00AA;encoding=hex', 'user-to-user: 00BB;encoding=hex', 'x-User-to-User: 00CC;encoding=hex');

  it('passes what the rules emit: one User-to-User, exact case, the x- copy gone', () => {
    expect(checkLeg(rules, dir, [sent], [invite('User-to-User: 00AA;encoding=hex')])).toEqual({ checked: 1, mismatches: [] });
  });

  it.each([
    [invite('User-To-User: 00AA;encoding=hex'), 'INVITE at genesys: arrived as User-To-User; the rules emit User-to-User'],
    [
      invite('User-to-User: 00AA;encoding=hex,00BB;encoding=hex'),
      'INVITE at genesys: User-to-User: "00AA;encoding=hex,00BB;encoding=hex" arrived; the rules emit "00AA;encoding=hex"',
    ],
    [invite('User-to-User: 00AA;encoding=hex', 'x-User-to-User: 00CC;encoding=hex'), 'INVITE at genesys: x-User-to-User arrived; the rules remove it'],
    [invite('X-Other: 1'), 'INVITE at genesys: User-to-User is missing'],
  ])('fails what they do not: %#', (arrived, mismatch) => {
    expect(checkLeg(rules, dir, [sent], [arrived]).mismatches).toContain(mismatch);
  });

  it('fails a message that arrived with none sent to pair it with', () => {
    const ok = invite('User-to-User: 00AA;encoding=hex');
    expect(checkLeg(rules, dir, [sent], [ok, ok])).toEqual({ checked: 1, mismatches: ['INVITE at genesys: arrived, but kore sent no INVITE to pair it with'] });
    expect(checkLeg(rules, dir, [], [ok]).checked).toBe(0);
  });

  it('pairs messages by kind and order, and leaves out what each leg makes on its own', () => {
    const trying = crlf('SIP/2.0 100 Trying\nCall-ID: a\nCSeq: 1 INVITE\nContent-Length: 0\n\n');
    expect(checkLeg(rules, dir, [sent], [trying, invite('User-to-User: 00AA;encoding=hex')]).checked).toBe(1);
  });
});

describe('SIPp message traces', () => {
  it('reads what was sent and received, in order', () => {
    const log = `----------------------------------------------- 2026-11-30 14:02:51.207412\nUDP message sent (20 bytes):\n\n${crlf('OPTIONS sip:a SIP/2.0\nCSeq: 1 OPTIONS\n\n')}\n----------------------------------------------- 2026-11-30 14:02:51.3\nUDP message received [30] bytes :\n\n${crlf('SIP/2.0 200 OK\nCSeq: 1 OPTIONS\n\n')}\n\n`;
    const t = readTrace(log);
    expect(sentOf(t)).toEqual([crlf('OPTIONS sip:a SIP/2.0\nCSeq: 1 OPTIONS\n\n')]);
    expect(receivedOf(t)).toEqual([crlf('SIP/2.0 200 OK\nCSeq: 1 OPTIONS\n\n')]);
  });

  it('reads a real trace (SIPp 3.6, a call Kore placed through sipcase)', () => {
    const t = readTrace(readFileSync(new URL('../../test/fixtures/sipp/kore-call-uac.trace', import.meta.url), 'latin1'));
    expect(sentOf(t).map((m) => m.split('\r\n')[0])).toEqual([
      'INVITE sip:+14445556666@127.0.0.1:25060 SIP/2.0',
      'ACK sip:127.0.0.1:25060 SIP/2.0',
      'BYE sip:127.0.0.1:25060 SIP/2.0',
    ]);
    expect(receivedOf(t).map((m) => m.split('\r\n')[0])).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 183 Session Progress', 'SIP/2.0 200 OK', 'SIP/2.0 200 OK']);
  });
});
