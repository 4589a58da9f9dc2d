/**
 * The out-of-dialog request handlers, in the order drachtio-srf runs them. Every request first
 * passes the source guard: anyone who is not a configured peer gets 403 and nothing is relayed,
 * and a peer's address over its request rate gets 503 with Retry-After. Behind a trusted proxy,
 * "who" is where the proxy received the request from (rules/origin.ts). A new INVITE is also
 * admitted here (admission.ts: not draining, serving, under the live-call cap) or refused 503.
 * Who calls and who is called is worked out once, here: a new INVITE that passes goes to the relay
 * with its parties (relay/invite.ts, through the `invite` port); in-dialog requests are the Call's
 * (relay/call.ts).
 */
import type { Logger } from 'pino';
import type { Handlers } from '../drachtio/app.js';
import type { InboundRequest, ResponseChannel } from '../drachtio/engine.js';
import type { Observer } from '../observe.js';
import { originOf, partiesOf, type Origin, type Parties } from '../rules/origin.js';
import type { Cidr, CompiledRules } from '../rules/types.js';
import { admitCall, unavailable, type AdmissionLimits, type Availability } from './admission.js';
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
  /** The instance's state as it is now (the instance keeps it current): whether it takes new work. */
  readonly availability: Readonly<Availability>;
  readonly limits: AdmissionLimits;
  /** Calls live now, for the live-call cap. */
  readonly liveCalls: () => number;
  /** A new INVITE that passed the guard and was admitted: the relay takes it from here. */
  readonly invite: (req: InboundRequest, res: ResponseChannel, parties: Parties) => Promise<void>;
}

export const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, PRACK, MESSAGE, NOTIFY, REFER';

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
  // A new INVITE's parties, from the guard to the invite handler (drachtio-srf runs both on the same request).
  const admitted = new WeakMap<InboundRequest, Parties>();
  /** A new call from these parties now: admitted, or refused 503 with Retry-After (true). */
  const refused = (req: InboundRequest, res: ResponseChannel, parties: Parties): boolean => {
    const live = ctx.liveCalls();
    const refusal = admitCall(ctx.availability, live, ctx.limits);
    if (refusal === undefined) return false;
    ctx.observer.record({ type: 'rejected', reason: refusal.reason });
    ctx.log.warn({ reason: refusal.reason, calls: live, source: req.source_address, from: parties.caller.name }, 'new call refused: 503');
    res.send(503, 'Service Unavailable', { headers: { 'Retry-After': String(refusal.retryAfterS) } });
    return true;
  };
  return {
    guard: (req, res, next) => {
      if (req.method === 'ACK') return;
      const origin = originOf(req, ctx.proxies);
      // A balancer's own OPTIONS is its health probe of this instance (the options handler answers).
      if (origin.kind === 'proxy' && req.method === 'OPTIONS') return next();
      const parties = partiesOf(origin, ctx.rules().peers);
      if (parties === undefined || origin.kind !== 'address') {
        ctx.observer.record({ type: 'rejected', reason: 'unknown_source' });
        logStranger(req, origin);
        return res.send(403, 'Forbidden', {});
      }
      const rate = ctx.sourceRate.take(origin.address, Date.now());
      if (rate !== 'allowed') {
        ctx.observer.record({ type: 'rejected', reason: 'rate' });
        // One line when a source goes over its rate, not one per refused request of a flood.
        if (rate === 'first-refused')
          ctx.log.warn({ method: req.method, source: origin.address }, 'source over limits.sourceRate: 503 + Retry-After until it slows down');
        return res.send(503, 'Service Unavailable', { headers: { 'Retry-After': '1' } });
      }
      if (req.method === 'INVITE') {
        if (refused(req, res, parties)) return;
        admitted.set(req, parties);
      }
      next();
    },
    invite: (req, res) => {
      const parties = admitted.get(req);
      if (parties === undefined) return; // the guard answered it
      ctx.invite(req, res, parties).catch((err: unknown) => {
        ctx.log.error({ err }, 'INVITE handling failed');
        if (!res.finalResponseSent) res.send(500, 'Server Internal Error', {});
      });
    },
    // A peer's OPTIONS keep-alive doubles as a SIP balancer's health probe: 503 while this
    // instance takes no new calls (draining, or not ready), so the balancer takes it out.
    options: (_req, res) => {
      const refusal = unavailable(ctx.availability, ctx.limits);
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
