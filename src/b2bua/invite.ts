/**
 * A new call: an INVITE from a configured peer. The other leg is created toward the peer this one
 * relays to; its 1xx and final responses come back rewritten with their status and reason; a CANCEL
 * before answer is passed on; SDP crosses untouched (signalling only, no media anchoring).
 */
import { peerForAddress } from '../rules/peers.js';
import type { Peer } from '../rules/types.js';
import { Call } from './call.js';
import type { B2buaContext } from './context.js';
import { createLateOfferUac, isFinalFailure, type Dialog, type InboundRequest, type LateOfferLeg, type OutboundRequest, type ResponseChannel, type UacOptions, type UacProgress } from './engine.js';
import { hopsExhausted, sendOptions } from './outbound.js';
import { rewriteForLeg, type Rewritten } from './rewriter.js';
import { callerOf, legUri } from './target.js';

export async function handleInvite(ctx: B2buaContext, req: InboundRequest, res: ResponseChannel): Promise<void> {
  const rules = ctx.rules.current;
  const from = peerForAddress(rules.peers, req.source_address);
  const to = from && rules.peers.get(from.relayTo);
  if (from === undefined || to === undefined) return; // the source guard answered already
  if (ctx.calls.size >= ctx.limits.maxCalls) {
    ctx.observer.record({ type: 'rejected', reason: 'max-calls' });
    ctx.log.warn({ calls: ctx.calls.size }, 'live-call limit reached: 503');
    res.send(503, 'Service Unavailable', { headers: { 'Retry-After': '5' } });
    return;
  }
  const callId = req.get('Call-ID') ?? 'unknown';
  const log = ctx.log.child({ callId, from: from.name, to: to.name });
  const out = rewriteForLeg(rules, req.raw, { from: from.name, to: to.name }, log, ctx.observer);
  if (hopsExhausted(out.message)) {
    ctx.observer.record({ type: 'rejected', reason: 'loop' });
    res.send(483, 'Too Many Hops', {});
    return;
  }
  const call = new Call(ctx, callId, log);
  ctx.calls.set(callId, call);
  ctx.observer.record({ type: 'call', phase: 'started' });
  await placeCall(ctx, call, req, res, out, from, to);
}

/** The other leg once it answered: a dialog (early offer), or a 200 OK still to be ACKed (late offer). */
type Answer = { readonly kind: 'dialog'; readonly dialog: Dialog } | { readonly kind: 'late'; readonly leg: LateOfferLeg };

async function placeCall(ctx: B2buaContext, call: Call, req: InboundRequest, res: ResponseChannel, out: Rewritten, from: Peer, to: Peer): Promise<void> {
  const back = { from: to.name, to: from.name };
  let pending: OutboundRequest | undefined;
  let canceled = false;
  req.on('cancel', () => {
    canceled = true;
    call.log.info('CANCEL from the caller: canceling the other leg');
    pending?.cancel();
  });
  const caller = callerOf(req.get('From'));
  const uri = legUri(req.uri, to.target);
  const opts: UacOptions = {
    headers: out.headers,
    ...(out.body === undefined ? {} : { localSdp: out.body }),
    ...(caller.number === undefined ? {} : { callingNumber: caller.number }),
    ...(caller.name === undefined ? {} : { callingName: caller.name }),
  };
  const progress: UacProgress = {
    cbRequest: (err, sent) => {
      if (err) return;
      pending = sent;
      if (canceled) sent.cancel();
    },
    cbProvisional: (provisional) => {
      if (provisional.status === 100 || canceled) return; // drachtio-server sends its own 100 Trying
      res.send(provisional.status, provisional.reason, sendOptions(rewriteForLeg(ctx.rules.current, provisional.raw, back, call.log, ctx.observer)));
    },
  };
  let answer: Answer;
  try {
    // No SDP in the INVITE (late offer): the far end's 200 OK carries the offer, and the caller's
    // ACK the answer, which must reach the far end in our ACK (RFC 3264 §2, RFC 3261 §13.2.1).
    answer =
      out.body === undefined
        ? { kind: 'late', leg: await createLateOfferUac(ctx.engine, uri, opts, progress) }
        : { kind: 'dialog', dialog: await ctx.engine.createUAC(uri, opts, progress) };
  } catch (err) {
    failed(ctx, call, res, err, canceled, back);
    return;
  }
  if (canceled) {
    await abandon(answer);
    call.end('canceled');
    return;
  }
  await answered(ctx, call, req, res, answer, from, to);
}

async function answered(ctx: B2buaContext, call: Call, req: InboundRequest, res: ResponseChannel, answer: Answer, from: Peer, to: Peer): Promise<void> {
  const ok = answer.kind === 'dialog' ? answer.dialog.res : answer.leg.res;
  const rewritten = rewriteForLeg(ctx.rules.current, ok.raw, { from: to.name, to: from.name }, call.log, ctx.observer);
  let uas: Dialog;
  let uac: Dialog;
  try {
    const { headers, body } = sendOptions(rewritten);
    uas = await ctx.engine.createUAS(req, res, body === undefined ? { headers } : { headers, localSdp: body });
    uac = answer.kind === 'dialog' ? answer.dialog : await answer.leg.ack(await callersAnswer(uas));
  } catch (err) {
    call.log.warn({ err }, 'caller went away before the call was set up: hanging up the other leg');
    await abandon(answer);
    call.end('caller-gone');
    return;
  }
  ctx.observer.record({ type: 'call', phase: 'answered' });
  call.log.info({ bCallId: uac.sip.callId, offer: answer.kind === 'late' ? 'late' : 'early' }, 'call answered');
  call.connect({ peer: from, dialog: uas }, { peer: to, dialog: uac });
}

/** Hangs up a leg that answered a call nobody is on any more (ACK, then BYE); failures are moot. */
async function abandon(answer: Answer): Promise<void> {
  await (answer.kind === 'dialog' ? answer.dialog.destroy() : answer.leg.destroy()).catch(() => undefined);
}

/** The SDP answer the caller puts in its ACK to a late-offer 200 OK. */
function callersAnswer(uas: Dialog): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no ACK from the caller within 32 s')), 32_000);
    uas.on('ack', (ack) => {
      clearTimeout(timer);
      if (ack.body === '') reject(new Error('the caller ACKed a late-offer 200 OK without an SDP answer'));
      else resolve(ack.body);
    });
  });
}

function failed(ctx: B2buaContext, call: Call, res: ResponseChannel, err: unknown, canceled: boolean, back: { from: string; to: string }): void {
  ctx.observer.record({ type: 'call', phase: 'failed' });
  if (canceled || res.finalResponseSent) {
    call.end('canceled');
    return;
  }
  if (!isFinalFailure(err)) {
    call.log.error({ err }, 'could not reach the other peer');
    res.send(503, 'Service Unavailable', {});
  } else if (err.res === undefined) {
    call.log.error({ err }, 'the other leg failed without a response to relay');
    res.send(err.status, err.reason ?? 'Service Unavailable', {});
  } else {
    call.log.info({ status: err.status }, 'call failed: relaying the final response');
    res.send(err.status, err.reason ?? err.res.reason, sendOptions(rewriteForLeg(ctx.rules.current, err.res.raw, back, call.log, ctx.observer)));
  }
  call.end('failed');
}
