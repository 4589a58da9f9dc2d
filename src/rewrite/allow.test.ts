import { describe, expect, it } from 'vitest';
import { rulesFor, sip } from '../../test/fixtures.js';
import { parseMessage, serializeToBuffer } from '../sip/message.js';
import { rewrite } from './rewrite.js';

const rules = rulesFor([
  { name: 'only-these', when: { from: 'a', to: 'b' }, actions: [{ action: 'allow', headers: ['User-to-User', 'X-Trace-*', 'P-Asserted-Identity'] }] },
]);

const REFER = [
  'REFER sip:agent@198.51.100.1 SIP/2.0',
  'Via: SIP/2.0/UDP 198.51.100.20;branch=z9hG4bK-1',
  'Max-Forwards: 70',
  'Route: <sip:198.51.100.1;lr>',
  'Record-Route: <sip:198.51.100.2;lr>',
  'From: <sip:bot@kore.example.com>;tag=k1',
  'To: <sip:+13125550100@genesys.example.com>;tag=g1',
  'Call-ID: allow-1',
  'CSeq: 3 REFER',
  'Contact: <sip:198.51.100.20>',
  'X-Kore-Debug: session=abc;trace=on',
  'Refer-To: <sip:+14445556666@byoc.example.pure.cloud?User-to-User=00AB%3Bencoding%3Dhex&X-Kore-Debug=1>',
  'Referred-By: <sip:bot@kore.example.com>',
  'x-trace-id: t-77',
  'X-Bot-Intent: agent',
  'user-to-user: 00AB;encoding=hex',
  'k: timer',
  'Content-Type: message/sipfrag',
];

describe('allow: only the headers a peer should see', () => {
  it("keeps the dialog's headers and the listed ones (any case, prefix *), drops the rest; embedded headers are no lines and stay", () => {
    const out = rewrite(rules, parseMessage(sip(...REFER)), { from: 'a', to: 'b' });
    const text = serializeToBuffer(out.message).toString('latin1');
    expect(text.split('\r\n\r\n')[0]?.split('\r\n')).toEqual(
      REFER.filter((l) => !l.startsWith('X-Kore-Debug') && !l.startsWith('X-Bot-Intent')).concat('Content-Length: 0'),
    );
    expect(out.changes).toEqual([
      { rule: 'only-these', action: 'allow', header: 'X-Kore-Debug', detail: 'dropped: not on the allowlist' },
      { rule: 'only-these', action: 'allow', header: 'X-Bot-Intent', detail: 'dropped: not on the allowlist' },
    ]);
  });

  it('is scoped like any rule: the other direction keeps everything', () => {
    const out = rewrite(rules, parseMessage(sip(...REFER)), { from: 'b', to: 'a' });
    expect(out.changes).toEqual([]);
  });

  it('an empty list keeps the dialog alone', () => {
    const none = rulesFor([{ name: 'bare', actions: [{ action: 'allow', headers: [] }] }]);
    const out = rewrite(
      none,
      parseMessage(sip('INFO sip:a@h SIP/2.0', 'Call-ID: x', 'CSeq: 4 INFO', 'Content-Type: application/json', 'User-to-User: 00;encoding=hex')),
      { from: 'a', to: 'b' },
    );
    expect(out.message.headers.map((h) => h.name)).toEqual(['Call-ID', 'CSeq', 'Content-Type']);
  });
});
