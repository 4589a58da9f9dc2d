/**
 * One transfer's life (RFC 3515), as the signalling that crosses sipcase tells it: a REFER, its
 * answer, then NOTIFYs whose message/sipfrag bodies report how the call to the target goes, the
 * last one marked `Subscription-State: terminated`. A pure state machine: each step gives the next
 * state, and the result once the transfer's outcome is known. The shell (relay/transfers.ts)
 * feeds it what crosses, the call's end and a time limit.
 *
 * Outcomes: `completed` (final sipfrag 2xx), `failed` (final sipfrag 3xx-6xx), `refused` (the REFER
 * answered 300 or more), `no_result` (no final word: the REFER unanswered, the subscription ended
 * on a provisional status, the call ended first, or the time limit passed).
 */
import type { ReferFacts } from './refer-facts.js';

export const TRANSFER_OUTCOMES = ['completed', 'failed', 'refused', 'no_result'] as const;
export type TransferOutcome = (typeof TRANSFER_OUTCOMES)[number];

export type TransferStep =
  /** The REFER's final answer; `cseq`, the REFER's CSeq number on the leg it was sent on (NOTIFYs name it in `Event: refer;id=`). */
  | { readonly kind: 'answer'; readonly status: number; readonly reason: string; readonly cseq: number | undefined }
  | { readonly kind: 'no-answer'; readonly detail: string }
  /** A NOTIFY's sipfrag status line (`200 OK`), and whether it ends the subscription. */
  | { readonly kind: 'notify'; readonly status: number; readonly line: string; readonly final: boolean }
  | { readonly kind: 'call-ended' }
  | { readonly kind: 'timeout'; readonly seconds: number }
  /** A replayed capture stops with the transfer still open (sipcase replay). */
  | { readonly kind: 'capture-ended' };

export interface TransferState {
  readonly facts: ReferFacts;
  /** `asked` until the REFER is accepted (its 2xx, or a NOTIFY overtaking it, as RFC 3515 allows). */
  readonly phase: 'asked' | 'accepted';
  readonly answer: number | undefined;
  readonly cseq: number | undefined;
  /** Each NOTIFY's sipfrag status line, in order. */
  readonly progress: readonly string[];
}

export interface TransferResult {
  readonly outcome: TransferOutcome;
  /** The status that decided it: the REFER's answer when refused, the final sipfrag's when completed or failed. */
  readonly code: number | undefined;
  /** Why, in words, for the log. */
  readonly why: string;
}

export interface Next {
  readonly state: TransferState;
  /** Set once the outcome is known: the transfer is over, and takes no more steps. */
  readonly result?: TransferResult;
}

export function asked(facts: ReferFacts): TransferState {
  return { facts, phase: 'asked', answer: undefined, cseq: undefined, progress: [] };
}

const noResult = (state: TransferState, why: string): Next => ({ state, result: { outcome: 'no_result', code: undefined, why } });

function notified(state: TransferState, step: Extract<TransferStep, { kind: 'notify' }>): Next {
  const next: TransferState = { ...state, phase: 'accepted', progress: [...state.progress, step.line] };
  if (!step.final) return { state: next };
  if (step.status >= 200 && step.status < 300) return { state: next, result: { outcome: 'completed', code: step.status, why: `final NOTIFY: ${step.line}` } };
  if (step.status >= 300) return { state: next, result: { outcome: 'failed', code: step.status, why: `final NOTIFY: ${step.line}` } };
  return noResult(next, `the subscription ended on a provisional status: ${step.line}`);
}

export function advance(state: TransferState, step: TransferStep): Next {
  switch (step.kind) {
    case 'answer':
      if (step.status < 200) return { state };
      if (step.status >= 300) {
        const refused: TransferState = { ...state, answer: step.status };
        return { state: refused, result: { outcome: 'refused', code: step.status, why: `REFER answered ${step.status} ${step.reason}`.trimEnd() } };
      }
      return { state: { ...state, phase: 'accepted', answer: step.status, cseq: step.cseq } };
    case 'no-answer':
      return noResult(state, `REFER not answered: ${step.detail}`);
    case 'notify':
      return notified(state, step);
    case 'call-ended':
      return noResult(state, 'the call ended before a final NOTIFY');
    case 'timeout':
      return noResult(state, `no final NOTIFY within ${step.seconds} s`);
    case 'capture-ended':
      return noResult(state, 'the capture ends before a final NOTIFY');
  }
}

/**
 * Whether a NOTIFY with `Event: refer;id=<id>` (id undefined: none given) reports on this transfer.
 * RFC 3515 §2.4.6: the id is the REFER's CSeq number; the first REFER of a dialog may be reported
 * on without one. A REFER still unanswered may be reported on already (a NOTIFY can overtake the 202).
 */
export function reportsOn(state: TransferState, id: number | undefined): boolean {
  return id === undefined || state.cseq === undefined || state.cseq === id;
}
