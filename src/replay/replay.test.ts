import { describe, expect, it } from 'vitest';
import { presetRules } from '../../test/fixtures.js';
import type { CapturedMessage } from '../capture/sip-messages.js';
import { parseRulesText } from '../rules/load.js';
import { replayMessage, replayMessages, summarize } from './replay.js';

const rules = presetRules();
const KORE = '198.51.100.20';
const GENESYS = '203.0.113.7';
const captured = (src: string, text: string): CapturedMessage => ({
  frame: 0,
  transport: 'udp',
  src,
  srcPort: 5060,
  dst: '192.0.2.1',
  dstPort: 5060,
  bytes: Buffer.from(text.replaceAll('\n', '\r\n'), 'latin1'),
});
const invite = (uui: string) => `INVITE sip:+1444@x SIP/2.0\nCall-ID: c\nCSeq: 1 INVITE\n${uui}\nContent-Length: 0\n\n`;

describe('replaying captured messages through the rules', () => {
  it('gives a message its direction by its source and shows what the rules change', () => {
    const r = replayMessage(rules, captured(KORE, invite('User-To-User: 00436F6E74657874;encoding=hex')));
    expect(r).toMatchObject({ kind: 'relayed', from: 'kore', to: 'genesys', method: 'INVITE', label: 'INVITE', remaining: [] });
    expect(r.kind === 'relayed' && r.changes.map((c) => `${c.rule} ${c.action}`)).toEqual(['uui-exact-case-to-genesys case']);
  });

  it('a response is counted under the method it answers', () => {
    const r = replayMessage(rules, captured(GENESYS, 'SIP/2.0 200 OK\nCall-ID: c\nCSeq: 1 INVITE\nContent-Length: 0\n\n'));
    expect(r).toMatchObject({ kind: 'relayed', from: 'genesys', to: 'kore', method: 'INVITE', label: '200 OK' });
  });

  it('a message from no configured peer would be refused; one that is no SIP is unreadable', () => {
    expect(replayMessage(rules, captured('192.0.2.99', invite('X-A: 1'))).kind).toBe('refused');
    expect(replayMessage(rules, captured(KORE, 'INVITE\n\n')).kind).toBe('unreadable');
  });

  it('says so when a header Genesys reserves would reach Genesys from Kore (the preset names Genesys its platform)', () => {
    const r = replayMessage(rules, captured(KORE, invite('x-inin-cnv: echoed')));
    expect(r.kind === 'relayed' && r.remaining).toEqual([
      { code: 'reserved', message: 'x-inin-cnv: a header Genesys reserves for itself (x-inin-*), from kore: sent on' },
    ]);
    const back = replayMessage(rules, captured(GENESYS, invite('x-inin-cnv: its-own')));
    expect(back.kind === 'relayed' && back.remaining).toEqual([]);
  });

  it('says what would still leave wrong: a lint finding the rules cannot mend, a name they emit spelled otherwise', () => {
    const bad = replayMessage(rules, captured(KORE, invite('User-To-User: 04ZZ;encoding=hex')));
    expect(bad.kind === 'relayed' && bad.remaining.map((f) => f.code)).toContain('encoding-mismatch');
    // Rules that spell User-to-User toward Kore only: toward Genesys it leaves as it came.
    const towardKore = parseRulesText(
      JSON.stringify({
        peers: { kore: { sources: [KORE], target: 'sip:kore' }, genesys: { sources: [GENESYS], target: 'sip:genesys' } },
        rules: [{ name: 'k', when: { to: 'kore' }, actions: [{ action: 'case', header: 'User-to-User' }] }],
      }),
    );
    if (!towardKore.ok) throw new Error(JSON.stringify(towardKore.errors));
    const miscased = replayMessage(towardKore.value, captured(KORE, invite('User-To-User: 00436F6E74657874;encoding=hex')));
    expect(miscased.kind === 'relayed' && miscased.remaining).toEqual([{ code: 'miscased', message: 'User-To-User should be spelled User-to-User' }]);
  });

  it('sums up by direction, rule, finding and destination', () => {
    const s = summarize([
      replayMessage(rules, captured(KORE, invite('User-To-User: 00436F6E74657874;encoding=hex'))),
      replayMessage(rules, captured(KORE, invite('User-To-User: 04ZZ;encoding=hex'))),
      replayMessage(rules, captured('192.0.2.99', invite('X-A: 1'))),
    ]);
    expect(s).toMatchObject({ messages: 3, refused: 1, unreadable: 0 });
    expect(Object.fromEntries(s.byDirection)).toEqual({ 'kore->genesys INVITE': 2 });
    expect(s.rewrites.get('uui-exact-case-to-genesys (case)')).toBe(2);
    expect(Object.fromEntries(s.stillWrong)).toEqual({ genesys: 1 });
  });
});

describe("a call's memory through a capture, by Call-ID", () => {
  const refer = (callId: string) =>
    `REFER sip:g@x SIP/2.0\nCall-ID: ${callId}\nCSeq: 2 REFER\nRefer-To: <sip:+1444@byoc.example.pure.cloud>\nContent-Length: 0\n\n`;
  const genesysInvite = `INVITE sip:+1555@x SIP/2.0\nCall-ID: call-1\nCSeq: 1 INVITE\nuser-to-user: 0041;encoding=hex\nContent-Length: 0\n\n`;

  it("Genesys' INVITE UUI reaches the bare REFER of the same call (either direction), and no other call's", () => {
    const [inv, same, other] = replayMessages(rules, [captured(GENESYS, genesysInvite), captured(KORE, refer('call-1')), captured(KORE, refer('call-2'))]);
    expect(inv?.kind === 'relayed' && inv.changes.filter((c) => c.action === 'remember' && c.skipped !== true).map((c) => c.detail)).toEqual([
      '"0041;encoding=hex"',
    ]);
    expect(same?.kind === 'relayed' && same.changes.filter((c) => c.action === 'embed').map((c) => [c.detail, c.used])).toEqual([
      ['"0041;encoding=hex" embedded in Refer-To URI', ['genesysUui']],
    ]);
    expect(other?.kind === 'relayed' && other.changes.map((c) => c.detail)).toEqual(['skipped: ${memory.genesysUui} has no value']);
    expect(summarize([inv, same, other].filter((r) => r !== undefined)).rewrites).toEqual(
      new Map([
        ['uui-exact-case-to-kore (case)', 1],
        ['uui-from-invite-into-refer (embed)', 1],
      ]),
    );
  });
});
