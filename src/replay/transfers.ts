/**
 * The transfers in a replayed capture, as sipcase would have followed them (relay/transfers.ts does
 * it live): each REFER, its answer, the NOTIFYs that report on it, until its outcome; a BYE ends a
 * call's open transfers, and so does the end of the capture. A capture taken at one point of the
 * path holds each REFER and its NOTIFYs with one CSeq numbering, so a NOTIFY's `id=` names its REFER
 * directly. UDP retransmissions (a request seen again with the same CSeq) count once.
 */
import { transferEvent } from '../relay/refer.js';
import { headerKey } from '../sip/header-name.js';
import { cseqNumber, methodOf, type SipMessage } from '../sip/message.js';
import { referFacts } from '../transfer/refer-facts.js';
import { advance, asked, reportsOn, type TransferResult, type TransferState, type TransferStep } from '../transfer/transfer.js';
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

interface Open {
  readonly from: string;
  readonly to: string;
  readonly frame: number;
  state: TransferState;
}

interface CallSeen {
  conversationId: string | undefined;
  readonly open: Open[];
  /** Requests already seen, `CSeq method`: a retransmission is no new event. */
  readonly requests: Set<string>;
}

const CONVERSATION = headerKey('x-inin-cnv');
const header = (m: SipMessage, key: string) => m.headers.find((h) => h.key === key)?.value;

export function transfersOf(replayed: readonly Replayed[]): ReplayedTransfer[] {
  const calls = new Map<string, CallSeen>();
  const done: ReplayedTransfer[] = [];
  const step = (callId: string, call: CallSeen, t: Open, s: TransferStep) => {
    const next = advance(t.state, s);
    t.state = next.state;
    if (next.result === undefined) return;
    call.open.splice(call.open.indexOf(t), 1);
    done.push({ callId, conversationId: call.conversationId, from: t.from, to: t.to, frame: t.frame, state: t.state, result: next.result });
  };
  for (const r of replayed) {
    if (r.kind !== 'relayed') continue;
    const callId = header(r.message, 'call-id') ?? '';
    const call = calls.get(callId) ?? { conversationId: undefined, open: [], requests: new Set<string>() };
    calls.set(callId, call);
    call.conversationId ??= header(r.message, CONVERSATION);
    const method = methodOf(r.message).toUpperCase();
    if (r.message.start.kind === 'response') {
      const t = method === 'REFER' ? call.open.find((o) => o.from === r.to && o.state.phase === 'asked') : undefined;
      if (t !== undefined)
        step(callId, call, t, { kind: 'answer', status: r.message.start.status, reason: r.message.start.reason, cseq: cseqNumber(r.message) });
      continue;
    }
    const key = `${header(r.message, 'cseq') ?? ''} ${method}`;
    if (call.requests.has(key)) continue;
    call.requests.add(key);
    const event = transferEvent(r.sent);
    if (event?.kind === 'refer') call.open.push({ from: r.from, to: r.to, frame: r.at.frame, state: asked(referFacts(r.sent)) });
    else if (event?.kind === 'progress') {
      const t = call.open.find((o) => o.from === r.to && reportsOn(o.state, event.id));
      if (t !== undefined) step(callId, call, t, { kind: 'notify', status: event.code, line: event.status, final: event.final });
    } else if (method === 'BYE') for (const t of [...call.open]) step(callId, call, t, { kind: 'call-ended' });
  }
  for (const [callId, call] of calls) for (const t of [...call.open]) step(callId, call, t, { kind: 'capture-ended' });
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
