/**
 * Replaying captured traffic through the rules, as sipcase would have handled it: each message is
 * given its direction by its source address (the peer that sent it, toward the peer it relays to),
 * rewritten, and linted as it would leave. What a message from no configured peer would get is a
 * refusal. Each call's memory (rewrite/memory.ts) follows it through the capture by Call-ID, both
 * directions of the dialog, so a value remembered from an INVITE is there for the REFER after it.
 * A pure function of (rules, messages): the capture reading and printing live elsewhere.
 */
import { describeArrival, reservedArrivals } from '../genesys/reserved-headers.js';
import { peerForAddress } from '../rules/peers.js';
import type { CompiledRules } from '../rules/types.js';
import { rewrite } from '../rewrite/rewrite.js';
import { wireChanges, type Change } from '../rewrite/change.js';
import type { CallMemory } from '../rewrite/memory.js';
import { headerKey } from '../sip/header-name.js';
import { methodOf, parseMessage, SipParseError, type SipMessage } from '../sip/message.js';
import { arrowLabel } from '../report/ladder-diagram.js';
import { lintMessageUui } from '../uui/in-message.js';
import type { CapturedMessage } from '../capture/sip-messages.js';

/** What would still be wrong with a message as sipcase would send it. */
export interface Remaining {
  readonly code: string;
  readonly message: string;
}

export type Replayed =
  | {
      readonly kind: 'relayed';
      readonly at: CapturedMessage;
      readonly from: string;
      readonly to: string;
      /** Request method, or the method a response answers (from CSeq). */
      readonly method: string;
      readonly label: string;
      readonly changes: readonly Change[];
      readonly remaining: readonly Remaining[];
      /** The message as captured, and as sipcase would send it on. */
      readonly message: SipMessage;
      readonly sent: SipMessage;
    }
  | { readonly kind: 'refused'; readonly at: CapturedMessage; readonly label: string }
  | { readonly kind: 'unreadable'; readonly at: CapturedMessage; readonly error: string };

/** Header lines whose name a rule emits, spelled otherwise: the peer that matches literally misses them. */
function miscased(m: SipMessage, emitted: readonly string[]): Remaining[] {
  const exact = new Map(emitted.map((n) => [headerKey(n), n]));
  return m.headers
    .filter((h) => exact.has(h.key) && exact.get(h.key) !== h.name)
    .map((h) => ({ code: 'miscased', message: `${h.name} should be spelled ${exact.get(h.key) as string}` }));
}

/** Headers Genesys reserves that would reach a Genesys peer from the other side. */
function reservedSentOn(received: SipMessage, sent: SipMessage, from: string): Remaining[] {
  return reservedArrivals(received, sent)
    .filter((r) => r.sentOn)
    .map((r) => ({ code: 'reserved', message: describeArrival(r, from) }));
}

/** What the calls of a capture remembered so far, by Call-ID. */
export type CallsMemory = Map<string, CallMemory>;

export function replayMessage(rules: CompiledRules, at: CapturedMessage, calls: CallsMemory = new Map()): Replayed {
  let message: SipMessage;
  try {
    message = parseMessage(at.bytes);
  } catch (e) {
    if (e instanceof SipParseError) return { kind: 'unreadable', at, error: e.message };
    throw e;
  }
  const from = peerForAddress(rules.peers, at.src);
  const to = from && rules.peers.get(from.relayTo);
  if (from === undefined || to === undefined) return { kind: 'refused', at, label: arrowLabel(message) };
  const callId = message.headers.find((h) => h.key === 'call-id')?.value ?? '';
  const memory = calls.get(callId);
  const out = rewrite(rules, message, memory === undefined ? { from: from.name, to: to.name } : { from: from.name, to: to.name, memory });
  if (out.remembered.size > 0) calls.set(callId, new Map([...(memory ?? []), ...out.remembered]));
  const remaining = [
    ...lintMessageUui(out.message).map((f) => ({ code: f.code, message: f.message })),
    ...miscased(out.message, rules.emittedNames),
    ...(to.platform === 'genesys' ? reservedSentOn(message, out.message, from.name) : []),
  ];
  return {
    kind: 'relayed',
    at,
    from: from.name,
    to: to.name,
    method: methodOf(message).toUpperCase(),
    label: arrowLabel(message),
    changes: out.changes,
    remaining,
    message,
    sent: out.message,
  };
}

/** A capture's messages in order, each call's memory carried from one of its messages to the next. */
export function replayMessages(rules: CompiledRules, messages: readonly CapturedMessage[]): Replayed[] {
  const calls: CallsMemory = new Map();
  return messages.map((m) => replayMessage(rules, m, calls));
}

export interface ReplaySummary {
  readonly messages: number;
  /** `from->to METHOD` (requests) or `from->to METHOD response`: count. */
  readonly byDirection: ReadonlyMap<string, number>;
  /** `rule (action)`: count. */
  readonly rewrites: ReadonlyMap<string, number>;
  /** Lint and case findings on messages as they would leave, by code. */
  readonly remaining: ReadonlyMap<string, number>;
  /** Messages that would leave with at least one finding, by destination peer. */
  readonly stillWrong: ReadonlyMap<string, number>;
  readonly refused: number;
  readonly unreadable: number;
}

const bump = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);

export function summarize(replayed: readonly Replayed[]): ReplaySummary {
  const byDirection = new Map<string, number>();
  const rewrites = new Map<string, number>();
  const remaining = new Map<string, number>();
  const stillWrong = new Map<string, number>();
  let refused = 0;
  let unreadable = 0;
  for (const r of replayed) {
    if (r.kind === 'refused') refused++;
    else if (r.kind === 'unreadable') unreadable++;
    else {
      bump(byDirection, `${r.from}->${r.to} ${r.method}${/^\d/.test(r.label) ? ' response' : ''}`);
      for (const c of wireChanges(r.changes)) bump(rewrites, `${c.rule} (${c.action})`);
      for (const f of r.remaining) bump(remaining, f.code);
      if (r.remaining.length > 0) bump(stillWrong, r.to);
    }
  }
  return { messages: replayed.length, byDirection, rewrites, remaining, stillWrong, refused, unreadable };
}
