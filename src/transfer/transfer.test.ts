import { describe, expect, it } from 'vitest';
import type { ReferFacts } from './refer-facts.js';
import { advance, asked, reportsOn, type TransferState, type TransferStep } from './transfer.js';

const facts: ReferFacts = { target: '<sip:agent@example.com>', embedded: [], uui: 'none', verdict: 'none', findings: [], context: undefined };

/** Runs the steps; the result of the step that ended the transfer, and how many steps it took. */
function play(...steps: TransferStep[]): { outcome?: string; code?: number | undefined; why?: string; after: number; state: TransferState } {
  let state = asked(facts);
  for (const [i, step] of steps.entries()) {
    const next = advance(state, step);
    state = next.state;
    if (next.result !== undefined) return { ...next.result, after: i + 1, state };
  }
  return { after: steps.length, state };
}

const accepted: TransferStep = { kind: 'answer', status: 202, reason: 'Accepted', cseq: 3 };
const notify = (status: number, line: string, final: boolean): TransferStep => ({ kind: 'notify', status, line, final });

describe('a transfer, from its REFER to its final word (RFC 3515)', () => {
  it('202, NOTIFY 100 Trying, NOTIFY 200 OK (terminated): completed, decided by the final sipfrag', () => {
    const r = play(accepted, notify(100, '100 Trying', false), notify(200, '200 OK', true));
    expect(r).toMatchObject({ outcome: 'completed', code: 200, why: 'final NOTIFY: 200 OK', after: 3 });
    expect(r.state.progress).toEqual(['100 Trying', '200 OK']);
    expect(r.state.answer).toBe(202);
  });

  it('REFER answered 603 Decline: refused, with its code, and nothing more to wait for', () => {
    expect(play({ kind: 'answer', status: 603, reason: 'Decline', cseq: 3 })).toMatchObject({
      outcome: 'refused',
      code: 603,
      why: 'REFER answered 603 Decline',
      after: 1,
    });
  });

  it('accepted, then a final NOTIFY of 486 Busy Here: failed, with the sipfrag code', () => {
    expect(play(accepted, notify(100, '100 Trying', false), notify(486, '486 Busy Here', true))).toMatchObject({ outcome: 'failed', code: 486, after: 3 });
  });

  it('accepted, NOTIFY 100 only, then the call ends: no_result', () => {
    expect(play(accepted, notify(100, '100 Trying', false), { kind: 'call-ended' })).toMatchObject({
      outcome: 'no_result',
      code: undefined,
      why: 'the call ended before a final NOTIFY',
      after: 3,
    });
  });

  it('accepted, and no final NOTIFY within the time limit: no_result', () => {
    expect(play(accepted, { kind: 'timeout', seconds: 120 })).toMatchObject({ outcome: 'no_result', why: 'no final NOTIFY within 120 s' });
  });

  it('a subscription that ends on a provisional status decides nothing: no_result', () => {
    expect(play(accepted, notify(100, '100 Trying', true))).toMatchObject({ outcome: 'no_result', after: 2 });
  });

  it('the REFER never answered (the request failed): no_result', () => {
    expect(play({ kind: 'no-answer', detail: 'timeout' })).toMatchObject({ outcome: 'no_result', why: 'REFER not answered: timeout' });
  });

  it('a NOTIFY that overtakes the 202 (RFC 3515 allows it) counts: the transfer is accepted by it', () => {
    const r = play(notify(100, '100 Trying', false), accepted, notify(200, '200 OK', true));
    expect(r).toMatchObject({ outcome: 'completed', after: 3 });
  });

  it('a provisional answer to the REFER changes nothing', () => {
    expect(play({ kind: 'answer', status: 100, reason: 'Trying', cseq: 3 }).state.phase).toBe('asked');
  });
});

describe('which transfer a NOTIFY reports on (Event: refer;id=<the REFER CSeq>)', () => {
  const state = advance(asked(facts), accepted).state;
  it('the same id, or none given: this one', () => {
    expect(reportsOn(state, 3)).toBe(true);
    expect(reportsOn(state, undefined)).toBe(true);
  });
  it('another REFER of the dialog: not this one', () => {
    expect(reportsOn(state, 4)).toBe(false);
  });
  it('a REFER still unanswered (its CSeq on the far leg not known yet): any id may be its', () => {
    expect(reportsOn(asked(facts), 9)).toBe(true);
  });
});
