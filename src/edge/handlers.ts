/**
 * The out-of-dialog request handlers, in the order drachtio-srf runs them. Every request first
 * passes the source guard: anyone who is not a configured peer gets 403 and nothing is relayed,
 * and a peer's address over its request rate gets 503 with Retry-After. Behind a trusted proxy,
 * "who" is where the proxy received the request from (origin.ts).
 * A new INVITE that passes goes to the relay (relay/invite.ts, through the `invite` port); in-dialog
 * requests are the Call's (relay/call.ts).
 */
import type { Logger } from 'pino';
import type { InboundRequest, ResponseChannel } from '../drachtio/engine.js';
import type { Observer } from '../observe.js';
import { peerForAddress } from '../rules/peers.js';
import type { Cidr, CompiledRules } from '../rules/types.js';
import type { Refusal } from './admission.js';
import { originAddress, originOf, type Origin } from './origin.js';
import { SourceRate } from './source-rate.js';

/** What the edge needs: the peers (from the rules in force), logging and counting, and the instance's word. */
export interface EdgePorts {
  readonly rules: () => CompiledRules;
  readonly log: Logger;
  readonly observer: Observer;
  /** Trusted SIP proxies in front of sipcase (origin.ts). */
  readonly proxies: readonly Cidr[];
  /** New requests a second per source address. */
  readonly sourceRate: SourceRate;
  /** Why out-of-dialog OPTIONS (a balancer's probe) must get 503 now, or undefined (admission.ts). */
  readonly unavailable: () => Refusal | undefined;
  /** A new INVITE that passed the guard: the relay takes it from here. */
  readonly invite: (req: InboundRequest, res: ResponseChannel) => Promise<void>;
}

export const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, PRACK, MESSAGE, NOTIFY, REFER';

type Next = (err?: unknown) => void;
export type Handler = (req: InboundRequest, res: ResponseChannel, next: Next) => void;

export interface Handlers {
  readonly guard: Handler;
  readonly invite: Handler;
  readonly options: Handler;
  readonly prack: Handler;
  readonly other: Handler;
}

/** Strangers' requests logged per second at most: a scan or flood must not become a log flood. */
const STRANGER_LOG_LINES_PER_S = 10;

export function handlers(ctx: EdgePorts): Handlers {
  const strangerLines = new SourceRate(STRANGER_LOG_LINES_PER_S, STRANGER_LOG_LINES_PER_S, 1);
  const logStranger = (req: InboundRequest, origin: Origin): void => {
    const budget = strangerLines.take('strangers', Date.now());
    const through = origin.kind === 'address' && origin.via !== undefined ? { origin: origin.address } : origin.kind === 'unknown' ? { origin: 'unknown' } : {};
    if (budget === 'allowed')
      ctx.log.warn(
        { method: req.method, source: `${req.source_address}:${req.source_port}`, ...through, callId: req.get('Call-ID') },
        'request from an address that is no configured peer: 403, nothing relayed',
      );
    else if (budget === 'first-refused')
      ctx.log.warn(
        `more than ${STRANGER_LOG_LINES_PER_S} requests a second from strangers: each still gets 403, counted in sipcase_requests_rejected_total{reason="unknown_source"}, not logged`,
      );
  };
  return {
    guard: (req, res, next) => {
      if (req.method === 'ACK') return;
      const origin = originOf(req, ctx.proxies);
      // A balancer's own OPTIONS is its health probe of this instance (the options handler answers).
      if (origin.kind === 'proxy' && req.method === 'OPTIONS') return next();
      const address = originAddress(origin);
      if (address === undefined || peerForAddress(ctx.rules().peers, address) === undefined) {
        ctx.observer.record({ type: 'rejected', reason: 'unknown_source' });
        logStranger(req, origin);
        return res.send(403, 'Forbidden', {});
      }
      const rate = ctx.sourceRate.take(address, Date.now());
      if (rate === 'allowed') return next();
      ctx.observer.record({ type: 'rejected', reason: 'rate' });
      // One line when a source goes over its rate, not one per refused request of a flood.
      if (rate === 'first-refused')
        ctx.log.warn({ method: req.method, source: address }, 'source over limits.sourceRate: 503 + Retry-After until it slows down');
      res.send(503, 'Service Unavailable', { headers: { 'Retry-After': '1' } });
    },
    invite: (req, res) => {
      ctx.invite(req, res).catch((err: unknown) => {
        ctx.log.error({ err }, 'INVITE handling failed');
        if (!res.finalResponseSent) res.send(500, 'Server Internal Error', {});
      });
    },
    // A peer's OPTIONS keep-alive doubles as a SIP balancer's health probe: 503 while this
    // instance takes no new calls (draining, or not ready), so the balancer takes it out.
    options: (_req, res) => {
      const refusal = ctx.unavailable();
      if (refusal === undefined) return res.send(200, 'OK', { headers: { Allow: ALLOW } });
      ctx.observer.record({ type: 'rejected', reason: refusal.reason });
      res.send(503, 'Service Unavailable', { headers: { 'Retry-After': String(refusal.retryAfterS), Allow: ALLOW } });
    },
    // Reliable provisionals are hop-by-hop in a B2BUA: drachtio-server PRACKs the far leg's 1xx
    // itself and sends the caller its own reliable copy; the caller's PRACK for that copy ends here.
    prack: (_req, res) => res.send(200, 'OK', {}),
    other: (req, res) => {
      ctx.observer.record({ type: 'rejected', reason: 'method' });
      res.send(405, 'Method Not Allowed', { headers: { Allow: ALLOW } });
      ctx.log.info({ method: req.method, source: req.source_address }, 'out-of-dialog request sipcase does not relay: 405');
    },
  };
}
