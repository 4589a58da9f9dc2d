/**
 * One in-dialog request across a call (re-INVITE, UPDATE, INFO, OPTIONS, MESSAGE, NOTIFY, REFER):
 * its source checked against the leg's peer, rewritten, sent on the other leg; the answer rewritten
 * and sent back with its status. A request sipcase refuses is answered here and never crosses.
 */
import type { Logger } from 'pino';
import type { InboundRequest, ResponseChannel } from '../drachtio/engine.js';
import { originAddress, originOf } from '../rules/origin.js';
import { peerHasAddress } from '../rules/peers.js';
import type { Peer } from '../rules/types.js';
import { cseqNumber } from '../sip/message.js';
import { sessionInterval } from '../sip/session-timer.js';
import type { CallPorts } from './call.js';
import type { Leg } from './leg.js';
import { sendOptions } from './outbound.js';
import { refuseRelay } from './request-checks.js';
import type { Rewritten } from './rewriter.js';
import type { CallTransfers } from './transfers.js';

/** What the relay of a request needs of its call (call.ts gives it). */
export interface InDialogCall {
  readonly ports: Pick<CallPorts, 'observer' | 'proxies' | 'maxMessageBytes'>;
  readonly log: Logger;
  /** Whether the call is answered (joined): only then does a request cross. */
  answered(): boolean;
  /** The request rewritten for the other leg; undefined (logged) when it cannot be read. */
  rewrite(raw: string, from: Peer, to: Peer): Rewritten | undefined;
  /** The answer rewritten for this leg; undefined when it cannot be read or is too large. */
  rewriteBounded(raw: string, from: Peer, to: Peer): Rewritten | undefined;
  /** The rewritten request crosses now: what it remembers is kept. */
  crossing(out: Rewritten): void;
  readonly transfers: Pick<CallTransfers, 'crossing' | 'answered' | 'unanswered'>;
  /** A 2xx to a re-INVITE or UPDATE refreshed the session, with this interval if one was stated. */
  refreshed(seconds: number | undefined): void;
}

/** One in-dialog request across: check its source, rewrite, send, rewrite the answer, answer. */
export async function relayRequest(call: InDialogCall, from: Leg, to: Leg, req: InboundRequest, res: ResponseChannel): Promise<void> {
  const { observer } = call.ports;
  // Answers already read go out first: drachtio-srf can hand over a response and the peer's next
  // request from one read (a 202 to a REFER, then the NOTIFY behind it); the response resumes a
  // promise, the request comes at once, and relaying it now would send it ahead of the answer.
  await new Promise<void>((resolve) => setImmediate(resolve));
  const origin = originAddress(originOf(req, call.ports.proxies));
  if (origin === undefined || !peerHasAddress(from.peer, origin)) {
    observer.record({ type: 'rejected', reason: 'unknown_source' });
    call.log.warn({ method: req.method, source: req.source_address, origin }, "in-dialog request from outside the leg's peer: 403");
    res.send(403, 'Forbidden', {});
    return;
  }
  if (!call.answered()) {
    res.send(481, 'Call/Transaction Does Not Exist', {});
    return;
  }
  const out = call.rewrite(req.raw, from.peer, to.peer);
  if (out === undefined) {
    observer.record({ type: 'rejected', reason: 'malformed' });
    res.send(400, 'Bad Request', {});
    return;
  }
  const refused = refuseRelay(out.message, out, call.ports.maxMessageBytes);
  if (refused !== undefined) {
    observer.record({ type: 'rejected', reason: refused.why });
    call.log.warn(
      { method: req.method, direction: `${from.peer.name}->${to.peer.name}`, status: refused.status, reason: refused.reason },
      'in-dialog request not relayed',
    );
    res.send(refused.status, refused.reason, refused.headers === undefined ? {} : { headers: { ...refused.headers } });
    return;
  }
  call.crossing(out);
  const transfer = call.transfers.crossing(out.message, { from: from.peer.name, to: to.peer.name });
  try {
    observer.record({ type: 'relayed', method: req.method, kind: 'request' });
    const answer = await to.dialog.request({ method: req.method, ...sendOptions(out) });
    const back = call.rewriteBounded(answer.raw, to.peer, from.peer);
    observer.record({ type: 'relayed', method: req.method, kind: 'response' });
    sessionRefreshed(call, req.method, answer.status, out, back);
    if (transfer !== undefined) call.transfers.answered(transfer, answer.status, answer.reason, back === undefined ? undefined : cseqNumber(back.received));
    // An answer sipcase cannot read still ends the transaction with its status, headers left out.
    res.send(answer.status, answer.reason, back === undefined ? {} : sendOptions(back));
  } catch (err) {
    call.log.error({ err, method: req.method, direction: `${from.peer.name}->${to.peer.name}` }, 'in-dialog relay failed');
    if (transfer !== undefined) call.transfers.unanswered(transfer, err instanceof Error ? err.message : String(err));
    if (!res.finalResponseSent) res.send(500, 'Server Internal Error', {});
  }
}

/** A re-INVITE or UPDATE answered 2xx refreshes the session (RFC 4028 §9): the answer's interval, or the request's. */
function sessionRefreshed(call: InDialogCall, method: string, status: number, request: Rewritten, answer: Rewritten | undefined): void {
  if ((method !== 'INVITE' && method !== 'UPDATE') || status < 200 || status >= 300) return;
  const interval = (answer === undefined ? undefined : sessionInterval(answer.message)) ?? sessionInterval(request.message);
  call.refreshed(interval?.seconds);
}
