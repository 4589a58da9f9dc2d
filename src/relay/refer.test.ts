import { describe, expect, it } from 'vitest';
import { sip, vector } from '../../test/fixtures.js';
import { parseMessage } from '../sip/message.js';
import { transferEvent } from '../transfer/transfer-event.js';
import { referToProblem } from './refer.js';

describe('the REFER path in the logs', () => {
  it('names the transfer target of a REFER', () => {
    expect(transferEvent(parseMessage(vector('kore-refer-uui-uri.sip')))).toEqual({
      kind: 'refer',
      referTo: '<sip:+14445556666@byoc.example.pure.cloud?User-To-User=XXcfo%7C64f0c3a1e2b74d1c9c2a%3Bencoding%3Dascii>',
    });
  });

  it('reads the outcome from a NOTIFY sipfrag', () => {
    expect(transferEvent(parseMessage(vector('genesys-notify-sipfrag.sip')))).toEqual({
      kind: 'progress',
      status: '200 OK',
      code: 200,
      final: true,
      id: undefined,
    });
  });

  it("names the REFER a NOTIFY reports on (Event: refer;id=, RFC 3515 §2.4.6), and a NOTIFY of another event is none of the REFER path's", () => {
    const notify = (event: string) =>
      parseMessage(
        sip(
          'NOTIFY sip:a@b SIP/2.0',
          'Call-ID: n1',
          'CSeq: 4 NOTIFY',
          `Event: ${event}`,
          'Subscription-State: active',
          'Content-Type: message/sipfrag',
          '',
          'SIP/2.0 180 Ringing',
        ),
      );
    expect(transferEvent(notify('refer;id=93809824'))).toEqual({ kind: 'progress', status: '180 Ringing', code: 180, final: false, id: 93809824 });
    expect(transferEvent(notify('refer ; ID = 7'))).toMatchObject({ id: 7 });
    expect(transferEvent(notify('refer-something'))).toBeUndefined();
    expect(transferEvent(notify('dialog'))).toBeUndefined();
  });

  it('says nothing of other messages', () => {
    expect(transferEvent(parseMessage(vector('kore-invite-uui.sip')))).toBeUndefined();
  });
});

describe('a REFER sipcase will not pass on (RFC 3515 §2.4.1: exactly one Refer-To)', () => {
  const refer = (...lines: string[]) => parseMessage(sip('REFER sip:a@b SIP/2.0', 'Call-ID: r1', 'CSeq: 2 REFER', ...lines));

  it.each([
    [[], 'Missing Refer-To'],
    [['Refer-To: <<not a uri>>'], 'Bad Refer-To'],
    [['Refer-To: '], 'Bad Refer-To'],
    [['Refer-To: just words'], 'Bad Refer-To'],
    [['Refer-To: <sip:a@b>', 'Refer-To: <sip:c@d>'], 'More Than One Refer-To'],
    [['Refer-To: <sip:a@b>, <sip:c@d>'], 'More Than One Refer-To'],
  ])('%j: %s', (lines, reason) => {
    expect(referToProblem(refer(...lines))).toBe(reason);
  });

  it.each([
    'Refer-To: <sip:+14445556666@byoc.example.pure.cloud?User-to-User=XX%7C1%3Bencoding%3Dascii>',
    'Refer-To: "Agent" <sips:agent@example.com;transport=tls>',
    'r: sip:agent@example.com;method=INVITE',
    'Refer-To: <tel:+14445556666>',
  ])('passes %s', (line) => {
    expect(referToProblem(refer(line))).toBeUndefined();
  });

  it('says nothing of other requests', () => {
    expect(referToProblem(parseMessage(vector('kore-invite-uui.sip')))).toBeUndefined();
  });
});
