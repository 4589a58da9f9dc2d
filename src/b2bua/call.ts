/**
 * A call: two dialogs, one per leg, and the relay between them. Every in-dialog request from one
 * leg is rewritten and sent on the other, and the answer comes back rewritten with its status.
 * BYE from either side ends both legs.
 */
import type { Logger } from 'pino';
import { peerForAddress } from '../rules/peers.js';
import type { Peer } from '../rules/types.js';
import type { B2buaContext } from './context.js';
import { IN_DIALOG_EVENTS, type Dialog, type InboundRequest, type ResponseChannel } from './engine.js';
import { hopsExhausted, sendOptions } from './outbound.js';
import { transferEvent } from './refer.js';
import { rewriteForLeg } from './rewriter.js';

export interface Leg {
  readonly peer: Peer;
  readonly dialog: Dialog;
}

/** `kore->genesys`: how logs name the way a message goes. */
function way(from: Leg, to: Leg): string {
  return `${from.peer.name}->${to.peer.name}`;
}

export class Call {
  private ended = false;

  constructor(
    private readonly ctx: B2buaContext,
    readonly id: string,
    readonly log: Logger,
  ) {}

  /** Joins the two legs: `a` is the caller's side, `b` the side sipcase called. */
  connect(a: Leg, b: Leg): void {
    this.wire(a, b);
    this.wire(b, a);
  }

  private wire(from: Leg, to: Leg): void {
    for (const event of IN_DIALOG_EVENTS) {
      from.dialog.on(event, (req, res) => void this.relay(from, to, req, res));
    }
    from.dialog.on('destroy', (bye) => void this.hangUp(from, to, bye));
  }

  private async relay(from: Leg, to: Leg, req: InboundRequest, res: ResponseChannel): Promise<void> {
    const { rules, observer } = this.ctx;
    if (peerForAddress(rules.current.peers, req.source_address)?.name !== from.peer.name) {
      observer.record({ type: 'rejected', reason: 'unknown-source' });
      this.log.warn({ method: req.method, source: req.source_address }, 'in-dialog request from outside the leg\'s peer: 403');
      res.send(403, 'Forbidden', {});
      return;
    }
    if (this.ended) {
      res.send(481, 'Call/Transaction Does Not Exist', {});
      return;
    }
    try {
      const out = rewriteForLeg(rules.current, req.raw, { from: from.peer.name, to: to.peer.name }, this.log, observer);
      if (hopsExhausted(out.message)) {
        res.send(483, 'Too Many Hops', {});
        return;
      }
      this.logTransfer(out.message, from, to);
      observer.record({ type: 'relayed', method: req.method, kind: 'request' });
      const answer = await to.dialog.request({ method: req.method, ...sendOptions(out) });
      const back = rewriteForLeg(rules.current, answer.raw, { from: to.peer.name, to: from.peer.name }, this.log, observer);
      observer.record({ type: 'relayed', method: req.method, kind: 'response' });
      res.send(answer.status, answer.reason, sendOptions(back));
    } catch (err) {
      this.log.error({ err, method: req.method, direction: way(from, to) }, 'in-dialog relay failed');
      if (!res.finalResponseSent) res.send(500, 'Server Internal Error', {});
    }
  }

  private logTransfer(message: Parameters<typeof transferEvent>[0], from: Leg, to: Leg): void {
    const event = transferEvent(message);
    if (event?.kind === 'refer') this.log.info({ direction: way(from, to), referTo: event.referTo }, 'REFER relayed');
    if (event?.kind === 'progress') this.log.info({ direction: way(from, to), status: event.status, final: event.final }, 'transfer progress (NOTIFY)');
  }

  private async hangUp(from: Leg, to: Leg, bye: InboundRequest): Promise<void> {
    if (this.ended) return;
    this.end('bye', from.peer.name);
    try {
      const out = rewriteForLeg(this.ctx.rules.current, bye.raw, { from: from.peer.name, to: to.peer.name }, this.log, this.ctx.observer);
      await to.dialog.destroy({ headers: out.headers });
    } catch (err) {
      this.log.warn({ err }, 'BYE toward the other leg failed');
    }
  }

  /** Forgets the call; safe to call more than once. */
  end(reason: string, by?: string): void {
    if (this.ended) return;
    this.ended = true;
    this.ctx.calls.delete(this.id);
    this.ctx.observer.record({ type: 'call', phase: 'ended' });
    this.log.info({ reason, endedBy: by }, 'call ended');
  }
}
