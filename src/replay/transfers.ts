/**
 * The transfers in a replayed capture, as sipcase would have followed them (relay/transfers.ts does
 * it live): each REFER, its answer, the NOTIFYs that report on it, until its outcome; a BYE ends a
 * call's open transfers, and so does the end of the capture. A capture taken at one point of the
 * path holds each REFER and its NOTIFYs with one CSeq numbering, so a NOTIFY's `id=` names its REFER
 * directly. UDP retransmissions (a request seen again with the same CSeq) count once.
 */
import { headerKey } from '../sip/header-name.js';
import { cseqNumber, methodOf, type SipMessage } from '../sip/message.js';
import { OpenTransfers } from '../transfer/open-transfers.js';
import type { TransferResult, TransferState } from '../transfer/transfer.js';
import type { Replayed } from './replay.js';

export interface ReplayedTransfer {
  readonly callId: string;
  readonly conversationId: string | undefined;
  readonly from: string;
  readonly to: string;
  /** The capture frame of its REFER. */
  readonly frame: number;
  readonly state: TransferState;
  readonly result: TransferResult;
}

interface CallSeen {
  conversationId: string | undefined;
  /** Open transfers, each noted with its REFER's capture frame. */
  readonly transfers: OpenTransfers<number>;
  /** Requests already seen, `CSeq method`: a retransmission is no new event. */
  readonly requests: Set<string>;
}

const CONVERSATION = headerKey('x-inin-cnv');
const header = (m: SipMessage, key: string) => m.headers.find((h) => h.key === key)?.value;

export function transfersOf(replayed: readonly Replayed[]): ReplayedTransfer[] {
  const calls = new Map<string, CallSeen>();
  const done: ReplayedTransfer[] = [];
  const callOf = (callId: string): CallSeen => {
    const known = calls.get(callId);
    if (known !== undefined) return known;
    const call: CallSeen = {
      conversationId: undefined,
      requests: new Set<string>(),
      transfers: new OpenTransfers<number>({
        ended: (t, result) =>
          done.push({ callId, conversationId: call.conversationId, from: t.way.from, to: t.way.to, frame: t.about, state: t.state, result }),
      }),
    };
    calls.set(callId, call);
    return call;
  };
  for (const r of replayed) {
    if (r.kind !== 'relayed') continue;
    const call = callOf(header(r.message, 'call-id') ?? '');
    call.conversationId ??= header(r.message, CONVERSATION);
    const method = methodOf(r.message).toUpperCase();
    if (r.message.start.kind === 'response') {
      const t = method === 'REFER' ? call.transfers.askedOf(r.from) : undefined;
      if (t !== undefined)
        call.transfers.step(t, { kind: 'answer', status: r.message.start.status, reason: r.message.start.reason, cseq: cseqNumber(r.message) });
      continue;
    }
    const key = `${header(r.message, 'cseq') ?? ''} ${method}`;
    if (call.requests.has(key)) continue;
    call.requests.add(key);
    if (method === 'BYE') call.transfers.stepAll({ kind: 'call-ended' });
    else call.transfers.crossing(r.sent, { from: r.from, to: r.to }, () => r.at.frame);
  }
  for (const call of calls.values()) call.transfers.stepAll({ kind: 'capture-ended' });
  return done.sort((a, b) => a.frame - b.frame);
}

export const TRANSFER_COLUMNS = ['frame', 'call', 'direction', 'target', 'answer', 'NOTIFYs', 'outcome', 'uui', 'verdict'] as const;

/**
 * One row a transfer: the conversation id names the call when the capture has one, its Call-ID
 * otherwise; the target without its embedded headers (the uui column says where the UUI went).
 */
export function transferRows(transfers: readonly ReplayedTransfer[]): string[][] {
  return transfers.map((t) => [
    String(t.frame + 1),
    t.conversationId ?? t.callId,
    `${t.from}->${t.to}`,
    t.state.facts.target.replace(/\?[^>]*/, ''),
    t.state.answer === undefined ? '-' : String(t.state.answer),
    t.state.progress.join(', ') || '-',
    t.result.code === undefined ? t.result.outcome : `${t.result.outcome} ${t.result.code}`,
    t.state.facts.uui,
    t.state.facts.findings.length === 0 ? t.state.facts.verdict : `${t.state.facts.verdict} (${t.state.facts.findings.join(', ')})`,
  ]);
}

/** `completed 3, failed 1`: how many transfers ended each way, in the order outcomes are listed. */
export function outcomeCounts(transfers: readonly ReplayedTransfer[]): string {
  const counts = new Map<string, number>();
  for (const t of transfers) counts.set(t.result.outcome, (counts.get(t.result.outcome) ?? 0) + 1);
  return [...counts].map(([o, n]) => `${o} ${n}`).join(', ');
}
