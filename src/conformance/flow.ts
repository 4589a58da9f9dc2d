/**
 * The call flows of the conformance campaign: what two peers may legally do to each other through
 * sipcase, as data. A flow is one call's shape (who calls, the callee's provisionals, a session
 * timer, a large header, what happens inside the call, how it ends); the generator draws distinct
 * flows from a seed, so any run is reproduced by its seed. scenario.ts plays a flow with SIPp,
 * campaign.ts checks the invariants after it.
 */

export type Side = 'caller' | 'callee';
export type Direction = 'kore->genesys' | 'genesys->kore';

export interface Status {
  readonly status: number;
  readonly reason: string;
}

/**
 * A callee's 1xx, with or without an SDP answer (183 early media), and its To tag: the callee's own
 * (the early dialog its 200 confirms), none, or another fork's (an early dialog that never answers).
 */
export interface Provisional extends Status {
  readonly sdp: boolean;
  readonly tag: 'own' | 'none' | 'fork';
}

/** What happens inside an answered call, in order. */
export type MidCall =
  /** A re-INVITE (with SDP) from `from`, answered `answer` (200, or a refusal that leaves the call up). */
  | { readonly kind: 'reinvite'; readonly from: Side; readonly answer: Status }
  /** An in-dialog request without a dialog of its own, answered `answer`. */
  | { readonly kind: 'request'; readonly method: 'INFO' | 'MESSAGE' | 'OPTIONS' | 'UPDATE' | 'NOTIFY'; readonly from: Side; readonly answer: Status }
  /** A REFER from `from`, answered `answer`; when accepted with `notify`, the two NOTIFYs (sipfrag 100, then 200 terminated) follow. */
  | { readonly kind: 'refer'; readonly from: Side; readonly answer: Status; readonly notify: boolean }
  /** A method nobody registered: drachtio-srf answers 501 itself, and nothing crosses. */
  | { readonly kind: 'unknown'; readonly from: Side };

export type Ending =
  | { readonly kind: 'bye'; readonly from: Side }
  /** The caller hangs up as soon as it has the 200, before its ACK (RFC 3261 §15 lets it): BYE, then no ACK. */
  | { readonly kind: 'bye-before-ack' }
  /** The caller cancels after the last provisional: 200 to the CANCEL, 487 to the INVITE. */
  | { readonly kind: 'cancel' }
  /** The callee refuses the call with this final status (3xx to 6xx, registered or not). */
  | { readonly kind: 'refused'; readonly final: Status };

export interface Flow {
  readonly direction: Direction;
  readonly provisionals: readonly Provisional[];
  /** Session-Expires on the INVITE and the 2xx (refresher=uac), in seconds; undefined: none. */
  readonly sessionExpires: number | undefined;
  /** Bytes of one extra header on the INVITE (0: none): large, but under limits.maxMessageBytes. */
  readonly padding: number;
  readonly midCall: readonly MidCall[];
  readonly ending: Ending;
}

/** How sipcase must count a call of the flow (sipcase_calls_ended_total's outcome). */
export type Outcome = 'completed' | 'failed' | 'canceled';

export function expectedOutcome(flow: Flow): Outcome {
  switch (flow.ending.kind) {
    case 'bye':
    case 'bye-before-ack':
      return 'completed';
    case 'cancel':
      return 'canceled';
    case 'refused':
      return 'failed';
  }
}

/** Registered and unregistered codes alike: sipcase relays a code as it came, with its phrase. */
const PROVISIONALS: readonly Omit<Provisional, 'tag'>[] = [
  { status: 180, reason: 'Ringing', sdp: false },
  { status: 181, reason: 'Call Is Being Forwarded', sdp: false },
  { status: 182, reason: 'Queued', sdp: false },
  { status: 183, reason: 'Session Progress', sdp: true },
  { status: 155, reason: 'Queued For Agent', sdp: false },
  { status: 177, reason: 'Unregistered Progress', sdp: false },
  { status: 199, reason: 'Early Dialog Terminated', sdp: false },
];

const TAGS: readonly Provisional['tag'][] = ['own', 'own', 'none', 'fork'];

const FINALS: readonly Status[] = [
  { status: 302, reason: 'Moved Temporarily' },
  { status: 404, reason: 'Not Found' },
  { status: 480, reason: 'Temporarily Unavailable' },
  { status: 486, reason: 'Busy Here' },
  { status: 488, reason: 'Not Acceptable Here' },
  { status: 499, reason: 'Unregistered Client Failure' },
  { status: 580, reason: 'Precondition Failure' },
  { status: 599, reason: 'Unregistered Server Failure' },
  { status: 600, reason: 'Busy Everywhere' },
  { status: 603, reason: 'Decline' },
  { status: 606, reason: 'Not Acceptable' },
  { status: 699, reason: 'Unregistered Global Failure' },
];

const IN_DIALOG_ANSWERS: readonly Status[] = [
  { status: 200, reason: 'OK' },
  { status: 200, reason: 'OK' },
  { status: 202, reason: 'Accepted' },
  { status: 404, reason: 'Not Found' },
  { status: 415, reason: 'Unsupported Media Type' },
  { status: 488, reason: 'Not Acceptable Here' },
  { status: 499, reason: 'Unregistered Client Failure' },
  { status: 501, reason: 'Not Implemented' },
  { status: 503, reason: 'Service Unavailable' },
];

const REINVITE_ANSWERS: readonly Status[] = [
  { status: 200, reason: 'OK' },
  { status: 200, reason: 'OK' },
  { status: 488, reason: 'Not Acceptable Here' },
  { status: 491, reason: 'Request Pending' },
  { status: 499, reason: 'Unregistered Client Failure' },
];

const REFER_ANSWERS: readonly Status[] = [
  { status: 202, reason: 'Accepted' },
  { status: 202, reason: 'Accepted' },
  { status: 403, reason: 'Forbidden' },
  { status: 603, reason: 'Decline' },
];

/** From RFC 4028's floor to 9 digits (a timer Node alone cannot hold). */
const SESSION_INTERVALS = [undefined, undefined, 90, 1800, 86_400, 999_999_999] as const;

const PADDINGS = [0, 0, 0, 2048, 6000] as const;

const METHODS = ['INFO', 'MESSAGE', 'OPTIONS', 'UPDATE', 'NOTIFY'] as const;

/** A small seeded generator (mulberry32): the same seed draws the same flows on any machine. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Draw = <T>(items: readonly T[]) => T;

function midCallStep(pick: Draw): MidCall {
  const from = pick<Side>(['caller', 'callee']);
  switch (pick(['reinvite', 'request', 'request', 'refer', 'unknown'] as const)) {
    case 'reinvite':
      return { kind: 'reinvite', from, answer: pick(REINVITE_ANSWERS) };
    case 'request':
      return { kind: 'request', method: pick(METHODS), from, answer: pick(IN_DIALOG_ANSWERS) };
    case 'refer': {
      const answer = pick(REFER_ANSWERS);
      return { kind: 'refer', from, answer, notify: answer.status === 202 && pick([true, false]) };
    }
    case 'unknown':
      return { kind: 'unknown', from };
  }
}

/**
 * After an INVITE or a re-INVITE, its sender moves next. The answerer's ACK comes from
 * drachtio-server (its own for a refusal, drachtio-srf's for a 2xx) as soon as the answer reaches
 * it, not from the sender: a request the answerer sent then can arrive with the answer, in one TCP
 * read, while SIPp still has the ACK to send, and SIPp takes it for an unexpected message (a limit
 * of the test tool: a UA sends its ACK and takes the request). So the caller moves first in a call.
 */
function inTurn(steps: MidCall[], ending: Ending): { midCall: MidCall[]; ending: Ending } {
  let turn: Side | undefined = 'caller';
  const midCall = steps.map((s) => {
    const step = turn === undefined ? s : { ...s, from: turn };
    turn = step.kind === 'reinvite' ? step.from : undefined;
    return step;
  });
  return { midCall, ending: turn !== undefined && ending.kind === 'bye' ? { kind: 'bye', from: turn } : ending };
}

function drawFlow(pick: Draw): Flow {
  const provisionals = Array.from({ length: pick([0, 1, 1, 2, 3]) }, () => ({ ...pick(PROVISIONALS), tag: pick(TAGS) }));
  const ending: Ending = pick([
    { kind: 'bye', from: 'caller' },
    { kind: 'bye', from: 'callee' },
    { kind: 'bye', from: 'caller' },
    { kind: 'bye-before-ack' },
    { kind: 'refused', final: pick(FINALS) },
    ...(provisionals.length > 0 ? [{ kind: 'cancel' } as const] : []),
  ] satisfies Ending[]);
  const answered = ending.kind === 'bye';
  const hungUp = ending.kind === 'bye-before-ack';
  return {
    direction: pick<Direction>(['kore->genesys', 'genesys->kore']),
    provisionals,
    sessionExpires: answered || hungUp ? pick(SESSION_INTERVALS) : undefined,
    padding: pick(PADDINGS),
    ...inTurn(answered ? Array.from({ length: pick([0, 1, 2, 3]) }, () => midCallStep(pick)) : [], ending),
  };
}

/** A flow's name: equal names, equal flows. */
export function flowName(flow: Flow): string {
  const side = (s: Side) => (s === 'caller' ? 'A' : 'B');
  const mid = flow.midCall.map((m) => {
    switch (m.kind) {
      case 'reinvite':
        return `reINVITE${side(m.from)}${m.answer.status}`;
      case 'request':
        return `${m.method}${side(m.from)}${m.answer.status}`;
      case 'refer':
        return `REFER${side(m.from)}${m.answer.status}${m.notify ? 'n' : ''}`;
      case 'unknown':
        return `FOO${side(m.from)}`;
    }
  });
  const e = flow.ending;
  const end = e.kind === 'bye' ? `bye${side(e.from)}` : e.kind === 'refused' ? `refused${e.final.status}` : e.kind;
  return [
    flow.direction === 'kore->genesys' ? 'k2g' : 'g2k',
    flow.provisionals.map((p) => `${p.status}${p.sdp ? 's' : ''}${p.tag === 'own' ? '' : p.tag === 'none' ? 'n' : 'f'}`).join('.') || 'no1xx',
    flow.sessionExpires === undefined ? 'nose' : `se${flow.sessionExpires}`,
    flow.padding === 0 ? 'nopad' : `pad${flow.padding}`,
    ...mid,
    end,
  ].join('-');
}

/** `count` distinct flows drawn from `seed` (fewer only if the space ran out first, which it does not near 10,000). */
export function generateFlows(seed: number, count: number): Flow[] {
  const rand = random(seed);
  const pick: Draw = (items) => items[Math.floor(rand() * items.length)] as (typeof items)[number];
  const flows = new Map<string, Flow>();
  for (let tries = 0; flows.size < count && tries < count * 50; tries++) {
    const flow = drawFlow(pick);
    const name = flowName(flow);
    if (!flows.has(name)) flows.set(name, flow);
  }
  return [...flows.values()];
}
