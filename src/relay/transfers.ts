/**
 * A call's transfers, followed: each REFER that crosses starts one, its answer and the NOTIFYs
 * coming back move it on (transfer/transfer.ts says how), and it ends with an outcome, counted
 * (sipcase_transfers_total, the REFER-to-final-NOTIFY histogram) and told in one info line: the
 * call's ids, Genesys' conversation id, the target, the answer, each sipfrag status, the outcome
 * and whether the UUI went where Genesys reads it. A transfer with no final word when the call
 * ends, or within `resultMs`, ends as no_result. One that did not complete leaves its context with
 * the recent hand-offs, so that a bot's fallback INVITE can be linked to this call.
 */
import type { Logger } from 'pino';
import type { Observer, Way } from '../observe.js';
import type { SipMessage } from '../sip/message.js';
import type { RecentHandoffs } from '../transfer/fallback.js';
import { OpenTransfers, type OpenTransfer } from '../transfer/open-transfers.js';
import type { TransferResult } from '../transfer/transfer.js';

export interface TransferSettings {
  /** How long a transfer may wait for its final NOTIFY, from its REFER; 0: until the call ends. */
  readonly resultMs: number;
  /** The key of the header that carries the platform's conversation id (x-inin-cnv: Genesys'). */
  readonly conversationKey: string;
}

export interface TransferPorts {
  readonly observer: Observer;
  readonly settings: TransferSettings;
  readonly handoffs: RecentHandoffs;
}

/** What the transfers read of their call when one ends. */
export interface CallIds {
  readonly callId: string;
  readonly conversationId: () => string | undefined;
  readonly bCallId: () => string | undefined;
}

/** What the live relay notes of a transfer: its number in the call, its start, its time limit. */
export interface Kept {
  readonly n: number;
  readonly startedAt: number;
  timer: NodeJS.Timeout | undefined;
}

/** One transfer under way: the handle its REFER's answer is given to. */
export type Pending = OpenTransfer<Kept>;

export class CallTransfers {
  private readonly book: OpenTransfers<Kept>;
  private made = 0;
  /** Outcomes of the transfers that ended, in order: the call's own end line lists them. */
  readonly outcomes: string[] = [];

  constructor(
    private readonly ports: TransferPorts,
    private readonly log: Logger,
    private readonly call: CallIds,
  ) {
    this.book = new OpenTransfers<Kept>({
      ended: (t, result) => this.finish(t, result),
      unmatched: (event) => this.log.debug({ status: event.status, id: event.id }, 'NOTIFY (refer) for no transfer sipcase follows'),
    });
  }

  /**
   * A message is about to cross from `way.from` to `way.to`: a REFER starts a transfer (its
   * handle is returned, for the answer), a NOTIFY of `Event: refer` reports on one going the other way.
   */
  crossing(message: SipMessage, way: Way): Pending | undefined {
    const t = this.book.crossing(message, way, () => ({ n: ++this.made, startedAt: Date.now(), timer: undefined }));
    if (t === undefined) return undefined;
    const { resultMs } = this.ports.settings;
    if (resultMs > 0) t.about.timer = setTimeout(() => this.book.step(t, { kind: 'timeout', seconds: resultMs / 1000 }), resultMs).unref();
    this.log.debug({ transfer: t.about.n, target: t.state.facts.target, uui: t.state.facts.uui }, 'REFER relayed');
    return t;
  }

  /** The REFER's final answer, with the CSeq number it carries (the REFER's on the leg it was sent on). */
  answered(t: Pending, status: number, reason: string, cseq: number | undefined): void {
    this.book.step(t, { kind: 'answer', status, reason, cseq });
  }

  unanswered(t: Pending, detail: string): void {
    this.book.step(t, { kind: 'no-answer', detail });
  }

  /** The call is over: a transfer still waiting for its final word has none. */
  callEnded(): void {
    this.book.stepAll({ kind: 'call-ended' });
  }

  private finish(t: Pending, result: TransferResult): void {
    clearTimeout(t.about.timer);
    this.outcomes.push(result.outcome);
    const { facts } = t.state;
    const ms = Date.now() - t.about.startedAt;
    const decided = result.outcome === 'completed' || result.outcome === 'failed';
    this.ports.observer.record({
      type: 'transfer',
      way: t.way,
      outcome: result.outcome,
      uui: facts.uui,
      verdict: facts.verdict,
      seconds: decided ? ms / 1000 : undefined,
    });
    const conversationId = this.call.conversationId();
    this.log.info(
      {
        transfer: t.about.n,
        direction: `${t.way.from}->${t.way.to}`,
        conversationId,
        bCallId: this.call.bCallId(),
        target: facts.target,
        embedded: facts.embedded,
        answer: t.state.answer,
        progress: t.state.progress,
        outcome: result.outcome,
        code: result.code,
        why: result.why,
        uui: facts.uui,
        verdict: facts.verdict,
        findings: facts.findings,
        ms,
      },
      'transfer ended',
    );
    if (result.outcome !== 'completed' && facts.context !== undefined) {
      this.ports.handoffs.note(facts.context, { from: t.way.from, callId: this.call.callId, conversationId, outcome: result.outcome, at: Date.now() });
    }
  }
}
