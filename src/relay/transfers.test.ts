import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sip } from '../../test/fixtures.js';
import { Recorder } from '../observe.js';
import { parseMessage } from '../sip/message.js';
import { RecentHandoffs } from '../transfer/fallback.js';
import { CallTransfers, type Pending } from './transfers.js';

const KORE_TO_GENESYS = { from: 'kore', to: 'genesys' };
const GENESYS_TO_KORE = { from: 'genesys', to: 'kore' };
const refer = parseMessage(sip('REFER sip:g@x SIP/2.0', 'Call-ID: c', 'CSeq: 3 REFER', 'Refer-To: <sip:agent@b?User-to-User=0041%3Bencoding%3Dhex>'));
const notify = (state: string, frag: string, event = 'refer') =>
  parseMessage(sip('NOTIFY sip:k@x SIP/2.0', 'Call-ID: c', 'CSeq: 2 NOTIFY', `Event: ${event}`, `Subscription-State: ${state}`, '', frag));

/** The REFER crossing: a transfer starts, and its handle comes back. */
function referred(t: CallTransfers): Pending {
  const pending = t.crossing(refer, KORE_TO_GENESYS);
  if (pending === undefined) throw new Error('a REFER started no transfer');
  return pending;
}

function transfers(resultMs = 120_000) {
  const observer = new Recorder();
  const handoffs = new RecentHandoffs();
  const t = new CallTransfers({ observer, handoffs, settings: { resultMs, conversationKey: 'x-inin-cnv' } }, pino({ level: 'silent' }), {
    callId: 'call-1',
    conversationId: () => 'cnv-1',
    bCallId: () => 'b-1',
  });
  return { t, observer, handoffs };
}

describe("a call's transfers, followed as they cross", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a REFER, its 202 and the NOTIFYs going back: completed once, with the time to the final NOTIFY', () => {
    const { t, observer } = transfers();
    t.answered(referred(t), 202, 'Accepted', 1);
    vi.advanceTimersByTime(1500);
    expect(t.crossing(notify('active', 'SIP/2.0 100 Trying'), GENESYS_TO_KORE)).toBeUndefined();
    t.crossing(notify('terminated', 'SIP/2.0 200 OK'), GENESYS_TO_KORE);
    t.crossing(notify('terminated', 'SIP/2.0 200 OK'), GENESYS_TO_KORE); // nothing open any more
    expect(observer.seen).toEqual([{ type: 'transfer', way: KORE_TO_GENESYS, outcome: 'completed', uui: 'embedded', verdict: 'readable', seconds: 1.5 }]);
    expect(t.outcomes).toEqual(['completed']);
  });

  it('a NOTIFY going the same way as the REFER, or of another event, reports on nothing', () => {
    const { t, observer } = transfers();
    t.answered(referred(t), 202, 'Accepted', 1);
    t.crossing(notify('terminated', 'SIP/2.0 200 OK'), KORE_TO_GENESYS);
    t.crossing(notify('terminated', 'SIP/2.0 200 OK', 'dialog'), GENESYS_TO_KORE);
    expect(observer.seen).toEqual([]);
  });

  it('accepted and never reported on: no_result once the time limit passes, not before; its context is kept for a fallback', () => {
    const { t, observer, handoffs } = transfers(60_000);
    t.answered(referred(t), 202, 'Accepted', 1);
    vi.advanceTimersByTime(59_999);
    expect(observer.seen).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(observer.count('transfer', { outcome: 'no_result', seconds: undefined })).toBe(1);
    expect(handoffs.take('0041', 'kore', Date.now())).toMatchObject({ callId: 'call-1', conversationId: 'cnv-1', outcome: 'no_result' });
  });

  it('with no time limit (0), an open transfer waits for its call to end, with no timer', () => {
    const { t, observer } = transfers(0);
    t.answered(referred(t), 202, 'Accepted', 1);
    expect(vi.getTimerCount()).toBe(0);
    t.callEnded();
    expect(observer.count('transfer', { outcome: 'no_result' })).toBe(1);
  });

  it('the call ends with a transfer open: no_result, and its timer goes with it', () => {
    const { t, observer } = transfers();
    t.crossing(refer, KORE_TO_GENESYS);
    t.callEnded();
    vi.advanceTimersByTime(200_000);
    expect(observer.count('transfer')).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a REFER that got no answer (the request failed): no_result', () => {
    const { t, observer } = transfers();
    t.unanswered(referred(t), 'connection lost');
    expect(observer.count('transfer', { outcome: 'no_result' })).toBe(1);
  });
});
