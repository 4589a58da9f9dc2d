import { describe, expect, it } from 'vitest';
import { sip, vector } from '../../test/fixtures.js';
import { parseMessage } from '../sip/message.js';
import { describeArrival, reservedArrivals, reservedFamily, reservedHeaders } from './reserved-headers.js';

describe('headers Genesys reserves for itself', () => {
  it('finds x-inin-*, x-genesys-*, x-pcv and x-gcv, in any case, and nothing else', () => {
    const m = parseMessage(
      sip(
        'REFER sip:a@b SIP/2.0',
        'Call-ID: r',
        'CSeq: 3 REFER',
        'X-Inin-Cnv: 1',
        'x-genesys-foo: 2',
        'X-PCV: 3',
        'x-gcv: 4',
        'X-Inin: 5',
        'X-Kore-Debug: 6',
        'X-pcvx: 7',
      ),
    );
    expect(reservedHeaders(m)).toEqual([
      { name: 'X-Inin-Cnv', family: 'x-inin-*' },
      { name: 'x-genesys-foo', family: 'x-genesys-*' },
      { name: 'X-PCV', family: 'x-pcv' },
      { name: 'x-gcv', family: 'x-gcv' },
    ]);
  });

  it("Genesys' own INVITE carries them (they are flagged only toward a Genesys peer, by the relay)", () => {
    expect(reservedHeaders(parseMessage(vector('genesys-invite.sip'))).map((r) => r.name)).toEqual(['x-inin-cnv', 'x-inin-crn']);
    expect(reservedFamily('x-user-to-user')).toBeUndefined();
  });
});

describe('reserved headers from the other side, and whether the rules let them through', () => {
  it('says of each whether the message as sent on still carries it', () => {
    const received = parseMessage(sip('INVITE sip:a@b SIP/2.0', 'Call-ID: r', 'CSeq: 1 INVITE', 'X-Inin-Cnv: 1', 'x-pcv: 2'));
    const sent = parseMessage(sip('INVITE sip:a@b SIP/2.0', 'Call-ID: r', 'CSeq: 1 INVITE', 'x-PCV: 2'));
    const arrivals = reservedArrivals(received, sent);
    expect(arrivals.map((r) => describeArrival(r, 'kore'))).toEqual([
      'X-Inin-Cnv: a header Genesys reserves for itself (x-inin-*), from kore: kept back by the rules',
      'x-pcv: a header Genesys reserves for itself (x-pcv), from kore: sent on',
    ]);
  });
});
