/**
 * The out-of-dialog request handlers, in the order drachtio-srf runs them. Every request first
 * passes the source guard: anyone who is not a configured peer gets 403 and nothing is relayed,
 * and a peer's address over its request rate gets 503 with Retry-After. Behind a trusted proxy,
 * "who" is where the proxy received the request from (origin.ts).
 * In-dialog requests are the Call's (call.ts).
 */
import { peerForAddress } from '../rules/peers.js';
import { unavailable } from './admission.js';
import type { B2buaContext } from './context.js';
import type { InboundRequest, ResponseChannel } from './engine.js';
import { handleInvite } from './invite.js';
import { originAddress, originOf, type Origin } from './origin.js';
import { SourceRate } from './source-rate.js';

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

export function handlers(ctx: B2buaContext): Handlers {
  const strangerLines = new SourceRate(STRANGER_LOG_LINES_PER_S, STRANGER_LOG_LINES_PER_S, 1);
  const logStranger = (req: InboundRequest, origin: Origin): void => {
    const budget = strangerLines.take('strangers', Date.now());
    const through = origin.kind === 'address' && origin.via !== undefined ? { origin: origin.address } : origin.kind === 'unknown' ? { origin: 'unknown' } : {};
    if (budget === 'allowed') ctx.log.warn({ method: req.method, source: `${req.source_address}:${req.source_port}`, ...through, callId: req.get('Call-ID') }, 'request from an address that is no configured peer: 403, nothing relayed');
    else if (budget === 'first-refused') ctx.log.warn(`more than ${STRANGER_LOG_LINES_PER_S} requests a second from strangers: each still gets 403, counted in sipcase_requests_rejected_total{reason="unknown_source"}, not logged`);
  };
  return {
    guard: (req, res, next) => {
      if (req.method === 'ACK') return;
      const origin = originOf(req, ctx.proxies);
      // A balancer's own OPTIONS is its health probe of this instance (the options handler answers).
      if (origin.kind === 'proxy' && req.method === 'OPTIONS') return next();
      const address = originAddress(origin);
      if (address === undefined || peerForAddress(ctx.rules.current.peers, address) === undefined) {
        ctx.observer.record({ type: 'rejected', reason: 'unknown_source' });
        logStranger(req, origin);
        return res.send(403, 'Forbidden', {});
      }
      const rate = ctx.sourceRate.take(address, Date.now());
      if (rate === 'allowed') return next();
      ctx.observer.record({ type: 'rejected', reason: 'rate' });
      // One line when a source goes over its rate, not one per refused request of a flood.
      if (rate === 'first-refused') ctx.log.warn({ method: req.method, source: address }, 'source over limits.sourceRate: 503 + Retry-After until it slows down');
      res.send(503, 'Service Unavailable', { headers: { 'Retry-After': '1' } });
    },
    invite: (req, res) => {
      handleInvite(ctx, req, res).catch((err: unknown) => {
        ctx.log.error({ err }, 'INVITE handling failed');
        if (!res.finalResponseSent) res.send(500, 'Server Internal Error', {});
      });
    },
    // A peer's OPTIONS keep-alive doubles as a SIP balancer's health probe: 503 while this
    // instance takes no new calls (draining, or not ready), so the balancer takes it out.
    options: (_req, res) => {
      const refusal = unavailable(ctx.status, ctx.limits);
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
