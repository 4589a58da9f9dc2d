import { describe, expect, it } from 'vitest';
import { sip } from '../../test/fixtures.js';
import { parseMessage } from '../sip/message.js';
import { hopsExhausted, outbound } from './outbound.js';
import { callerOf, legUri } from './target.js';
import { parseTarget } from '../rules/peers.js';
import type { PeerTarget } from '../rules/types.js';

const invite = parseMessage(
  sip(
    'INVITE sip:+14445556666@h SIP/2.0',
    'Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1',
    'Max-Forwards: 70',
    'From: "Kore VG" <sip:+15550001111@kore>;tag=1',
    'To: <sip:+14445556666@h>',
    'Call-ID: c1',
    'CSeq: 1 INVITE',
    'Contact: <sip:10.0.0.1>',
    'Record-Route: <sip:p;lr>',
    'User-to-User: 00AB;encoding=hex',
    'Allow: INVITE',
    'allow: BYE',
    'Content-Type: application/sdp',
    'Content-Length: 0',
  ),
);

describe('what crosses to the other leg', () => {
  it("a redirect's Contact (3xx, 485) is where to call next: it crosses; a 200's or a 486's is the leg's own and does not", () => {
    const answer = (status: string) =>
      outbound(parseMessage(sip(`SIP/2.0 ${status}`, 'CSeq: 1 INVITE', 'Contact: <sip:elsewhere@redirect.example>', 'Content-Length: 0'))).headers;
    expect([answer('302 Moved Temporarily'), answer('485 Ambiguous'), answer('380 Alternative Service')].map((h) => h['Contact'])).toEqual([
      '<sip:elsewhere@redirect.example>',
      '<sip:elsewhere@redirect.example>',
      '<sip:elsewhere@redirect.example>',
    ]);
    expect([answer('200 OK'), answer('486 Busy Here')].map((h) => h['Contact'])).toEqual([undefined, undefined]);
  });

  it('every header but the per-leg ones, in order, spelled as given; copies joined under the first spelling', () => {
    expect(outbound(invite).headers).toEqual({
      'User-to-User': '00AB;encoding=hex',
      Allow: 'INVITE,BYE',
      'Content-Type': 'application/sdp',
      'Max-Forwards': '69',
    });
  });

  it('no body means none, not an empty one', () => {
    expect(outbound(invite).body).toBeUndefined();
  });

  it('Max-Forwards 0 means the hop limit is reached', () => {
    expect(hopsExhausted(parseMessage(sip('INVITE sip:a@b SIP/2.0', 'Max-Forwards: 0')))).toBe(true);
    expect(hopsExhausted(invite)).toBe(false);
  });
});

describe("the other leg's INVITE", () => {
  const target = parseTarget('sip:byoc.example.pure.cloud:5060;transport=tcp') as PeerTarget;

  it("keeps the request-URI user part and goes to the peer's host, port and transport", () => {
    expect(legUri('sip:+14445556666@203.0.113.10:5060;user=phone', target)).toBe('sip:+14445556666@byoc.example.pure.cloud:5060;transport=tcp');
    expect(legUri('sip:203.0.113.10', target)).toBe('sip:byoc.example.pure.cloud:5060;transport=tcp');
  });

  it('keeps trunk-group parameters of the user part (RFC 4904), and the parameters written on the target', () => {
    expect(legUri('sip:+13175551212;tgrp=TG-1;trunk-context=example.com@203.0.113.10;user=phone', target)).toBe(
      'sip:+13175551212;tgrp=TG-1;trunk-context=example.com@byoc.example.pure.cloud:5060;transport=tcp',
    );
    const withTgrp = parseTarget('sip:byoc.example.pure.cloud;tgrp=TG-1;trunk-context=byoc.example.pure.cloud;transport=tls') as PeerTarget;
    expect(legUri('sip:+14445556666@203.0.113.10', withTgrp)).toBe(
      'sip:+14445556666@byoc.example.pure.cloud;tgrp=TG-1;trunk-context=byoc.example.pure.cloud;transport=tls',
    );
  });

  it('carries the calling number and display name over', () => {
    expect(callerOf('"Kore VG" <sip:+15550001111@kore>;tag=1')).toEqual({ number: '+15550001111', name: 'Kore VG' });
    expect(callerOf('<sip:+13125550100@byoc.example.pure.cloud>;tag=gen')).toEqual({ number: '+13125550100', name: undefined });
    expect(callerOf('Bob <sip:bob@h>')).toEqual({ number: 'bob', name: 'Bob' });
  });
});
