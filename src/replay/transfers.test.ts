import { describe, expect, it } from 'vitest';
import { presetRules } from '../../test/fixtures.js';
import type { CapturedMessage } from '../capture/sip-messages.js';
import { replayMessages } from './replay.js';
import { outcomeCounts, transferRows, transfersOf } from './transfers.js';

const KORE = '198.51.100.20';
const GENESYS = '203.0.113.7';
let frame = 0;
const at = (src: string, ...lines: string[]): CapturedMessage => ({
  frame: frame++,
  transport: 'udp',
  src,
  srcPort: 5060,
  dst: '192.0.2.1',
  dstPort: 5060,
  bytes: Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'),
});
const sipfrag = (callId: string, cseq: number, state: string, frag: string) =>
  at(
    GENESYS,
    'NOTIFY sip:k@x SIP/2.0',
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} NOTIFY`,
    'Event: refer',
    `Subscription-State: ${state}`,
    'Content-Type: message/sipfrag',
    '',
    frag,
  );
const refer = (callId: string, cseq: number, referTo: string) =>
  at(KORE, 'REFER sip:g@x SIP/2.0', `Call-ID: ${callId}`, `CSeq: ${cseq} REFER`, `Refer-To: ${referTo}`);
const answer = (callId: string, cseq: number, status: string) => at(GENESYS, `SIP/2.0 ${status}`, `Call-ID: ${callId}`, `CSeq: ${cseq} REFER`);

describe("a capture's transfers, as sipcase would have followed them", () => {
  const capture = [
    at(GENESYS, 'INVITE sip:k@x SIP/2.0', 'Call-ID: c1', 'CSeq: 1 INVITE', 'x-inin-cnv: cnv-1'),
    refer('c1', 3, '<sip:+14445556666@byoc.example.pure.cloud>'),
    at(KORE, 'REFER sip:g@x SIP/2.0', 'Call-ID: c2', 'CSeq: 7 REFER', 'Refer-To: <sip:agent@b?User-To-User=0041%3Bencoding%3Dhex>'),
    answer('c1', 3, '202 Accepted'),
    sipfrag('c1', 2, 'active;expires=60', 'SIP/2.0 100 Trying'),
    sipfrag('c1', 2, 'active;expires=60', 'SIP/2.0 100 Trying'), // a retransmission
    answer('c2', 7, '603 Decline'),
    sipfrag('c1', 3, 'terminated;reason=noresource', 'SIP/2.0 200 OK'),
    refer('c3', 4, '<sip:queue@byoc.example.pure.cloud>'),
    answer('c3', 4, '202 Accepted'),
    refer('c4', 5, '<tel:+13125550100>'),
    answer('c4', 5, '202 Accepted'),
    sipfrag('c4', 9, 'terminated', 'SIP/2.0 486 Busy Here'),
    at(KORE, 'BYE sip:g@x SIP/2.0', 'Call-ID: c3', 'CSeq: 5 BYE'),
    refer('c5', 2, '<sip:late@byoc.example.pure.cloud>'),
  ];
  const transfers = transfersOf(replayMessages(presetRules(), capture));

  it('each REFER once, in capture order, with its outcome: completed, refused, no_result (BYE), failed, no_result (capture ends)', () => {
    expect(transfers.map((t) => [t.callId, t.result.outcome, t.result.code])).toEqual([
      ['c1', 'completed', 200],
      ['c2', 'refused', 603],
      ['c3', 'no_result', undefined],
      ['c4', 'failed', 486],
      ['c5', 'no_result', undefined],
    ]);
    expect(transfers[2]?.result.why).toBe('the call ended before a final NOTIFY');
    expect(transfers[4]?.result.why).toBe('the capture ends before a final NOTIFY');
    expect(outcomeCounts(transfers)).toBe('completed 1, refused 1, no_result 2, failed 1');
  });

  it('rows a team lead reads: the conversation id when the capture has one, the UUI as sipcase would send it', () => {
    const rows = transferRows(transfers);
    expect(rows[0]).toEqual([
      '2',
      'cnv-1',
      'kore->genesys',
      '<sip:+14445556666@byoc.example.pure.cloud>',
      '202',
      '100 Trying, 200 OK',
      'completed 200',
      'none',
      'none',
    ]);
    // The preset spells the embedded UUI User-to-User on its way to Genesys: readable.
    expect(rows[1]).toEqual(['3', 'c2', 'kore->genesys', '<sip:agent@b>', '603', '-', 'refused 603', 'embedded', 'readable']);
  });
});
