/**
 * A new call: an INVITE from a configured peer. The other leg is created toward the peer this one
 * relays to; its 1xx and final responses come back rewritten with their status and reason; a CANCEL
 * before answer is passed on; SDP crosses untouched (signalling only, no media anchoring).
 *
 * Every path out of here leaves the call either joined (answered) or ended in the registry, and an
 * answered far leg either joined or hung up: nothing can hold a call slot or a leg after a failure.
 */
import type { Parties } from '../rules/origin.js';
import { Call } from './call.js';
import type { RelayPorts } from './ports.js';
import {
  createLateOfferUac,
  isFinalFailure,
  type Dialog,
  type InboundRequest,
  type LateOfferLeg,
  type OutboundRequest,
  type ResponseChannel,
  type UacOptions,
  type UacProgress,
} from '../drachtio/engine.js';
import { sendOptions } from './outbound.js';
import { refuseRelay } from './request-checks.js';
import { rewriteForLeg, type Rewritten } from './rewriter.js';
import { sessionInterval } from '../sip/session-timer.js';
import { callerOf, legUri } from './target.js';
import type { SipMessage } from '../sip/message.js';
import { contextKey } from '../transfer/refer-facts.js';

/** A new call's INVITE, from `parties.caller` to `parties.callee` (the edge found them and admitted the call). */
export async function handleInvite(ctx: RelayPorts, req: InboundRequest, res: ResponseChannel, parties: Parties): Promise<void> {
  const rules = ctx.rules();
  const { caller: from, callee: to } = parties;
  const callId = req.get('Call-ID') ?? 'unknown';
  const log = ctx.log.child({ callId, from: from.name, to: to.name });
  const out = rewriteForLeg(rules, req.raw, { from: from.name, to: to.name }, log, ctx.observer);
  if (!out.ok) {
    ctx.observer.record({ type: 'rejected', reason: 'malformed' });
    log.warn({ error: out.error }, 'INVITE could not be parsed for rewriting: 400');
    res.send(400, 'Bad Request', {});
    return;
  }
  const refused = refuseRelay(out.value.message, out.value, ctx.maxMessageBytes);
  if (refused !== undefined) {
    ctx.observer.record({ type: 'rejected', reason: refused.why });
    log.warn({ status: refused.status, reason: refused.reason }, 'INVITE not relayed');
    res.send(refused.status, refused.reason, refused.headers === undefined ? {} : { headers: { ...refused.headers } });
    return;
  }
  const call = new Call(ctx, callId, log, from, to, rules, out.value);
  ctx.calls.add(call);
  linkFallback(ctx, call, out.value.message);
  try {
    await placeCall(ctx, call, req, res, out.value);
  } catch (err) {
    log.error({ err }, 'call set-up failed');
    if (!res.finalResponseSent) res.send(500, 'Server Internal Error', {});
  } finally {
    if (call.state === 'setting-up') call.end('error');
  }
}

/**
 * A new call whose INVITE carries the context of a hand-off that did not complete, from the peer
 * that asked for it: a bot's fallback after a failed REFER (transfer/fallback.ts). Said in the log,
 * with the first call's ids, and counted.
 */
function linkFallback(ctx: RelayPorts, call: Call, invite: SipMessage): void {
  if (ctx.transfers.handoffs.size === 0) return; // the common case: no hand-off failed lately
  const context = contextKey(invite);
  const first = context === undefined ? undefined : ctx.transfers.handoffs.take(context, call.caller.name, Date.now());
  if (first === undefined) return;
  ctx.observer.record({ type: 'transfer-fallback', way: call.way });
  call.log.info(
    { fallbackOf: first.callId, conversationId: first.conversationId, transferOutcome: first.outcome, afterMs: Date.now() - first.at },
    "new call carries the context of a hand-off that did not complete: the bot's fallback",
  );
}

/** The other leg once it answered: a dialog (early offer), or a 200 OK still to be ACKed (late offer). */
type Answer = { readonly kind: 'dialog'; readonly dialog: Dialog } | { readonly kind: 'late'; readonly leg: LateOfferLeg };

/** Why set-up stopped before the call was joined: the caller's CANCEL, sipcase's drain, or limits.maxSetupSeconds. */
type Stop = 'canceled' | 'drained' | 'setup_timeout';

/**
 * How long a stopped set-up waits for the other leg's final answer (RFC 3261 §9.1: a UAC gives up
 * 64 x T1 after its CANCEL). drachtio-srf settles the leg only on a final answer, and a callee that
 * never sends its 487 (seen in the conformance campaign, a peer that vanished) held the call live
 * for ever, past limits.maxSetupSeconds; then the call ends without it, and a 2xx that still comes
 * is hung up.
 */
export const STOPPED_SETUP_WAIT_MS = 32_000;

async function placeCall(ctx: RelayPorts, call: Call, req: InboundRequest, res: ResponseChannel, out: Rewritten): Promise<void> {
  const { caller: from, callee: to } = call;
  let pending: OutboundRequest | undefined;
  let stop: Stop | undefined;
  let giveUp: () => void = () => undefined;
  const givenUp = new Promise<undefined>((resolve) => (giveUp = () => resolve(undefined)));
  let waiting: NodeJS.Timeout | undefined;
  const halt = (why: Stop): void => {
    stop ??= why;
    pending?.cancel();
    waiting ??= setTimeout(giveUp, STOPPED_SETUP_WAIT_MS).unref();
  };
  req.on('cancel', () => {
    call.log.info('CANCEL from the caller: canceling the other leg');
    halt('canceled');
  });
  call.onAbort(() => halt('drained'));
  // A call not answered within limits.maxSetupSeconds: CANCEL toward the callee, 408 to the caller.
  const ceiling = ctx.maxSetupMs > 0 ? setTimeout(() => halt('setup_timeout'), ctx.maxSetupMs).unref() : undefined;
  // The rules' word on the number: the other leg's From and Request-URI (and so its To) come from the INVITE as rewritten.
  const caller = callerOf(out.message.headers.find((h) => h.key === 'from')?.value);
  const opts: UacOptions = {
    headers: out.headers,
    ...(out.body === undefined ? {} : { localSdp: out.body }),
    ...(caller.number === undefined ? {} : { callingNumber: caller.number }),
    ...(caller.name === undefined ? {} : { callingName: caller.name }),
    ...(ctx.outboundProxy === undefined ? {} : { proxy: ctx.outboundProxy }),
  };
  const progress: UacProgress = {
    cbRequest: (err, sent) => {
      if (err) return;
      pending = sent;
      if (stop !== undefined) sent.cancel();
    },
    // Runs inside drachtio-srf's wire reader, before it PRACKs a reliable 1xx: it must never throw.
    cbProvisional: (provisional) => {
      if (provisional.status === 100 || stop !== undefined) return; // drachtio-server sends its own 100 Trying
      try {
        const back = call.rewriteBounded(provisional.raw, to, from);
        if (back === undefined) return;
        res.send(provisional.status, provisional.reason, sendOptions(back));
        ctx.observer.record({ type: 'relayed', method: 'INVITE', kind: 'response' });
      } catch (err) {
        call.log.error({ err, status: provisional.status }, 'provisional response not relayed');
      }
    },
  };
  const uri = legUri(out.message.start.kind === 'request' ? out.message.start.uri : req.uri, to.target);
  let answer: Answer;
  ctx.observer.record({ type: 'relayed', method: 'INVITE', kind: 'request' });
  try {
    // No SDP in the INVITE (late offer): the far end's 200 OK carries the offer, and the caller's
    // ACK the answer, which must reach the far end in our ACK (RFC 3264 §2, RFC 3261 §13.2.1).
    const placing: Promise<Answer> =
      out.body === undefined
        ? createLateOfferUac(ctx.engine, uri, opts, progress).then((leg) => ({ kind: 'late', leg }))
        : ctx.engine.createUAC(uri, opts, progress, (dialog) => call.adopt({ peer: to, dialog }, 1)).then((dialog) => ({ kind: 'dialog', dialog }));
    const settled = await Promise.race([placing, givenUp]);
    if (settled === undefined) {
      call.log.warn({ stop, waitedMs: STOPPED_SETUP_WAIT_MS }, 'the other leg never answered its CANCEL: the call ends without it');
      void placing.then(abandon, () => undefined);
      stopped(ctx, call, res, stop ?? 'canceled');
      return;
    }
    answer = settled;
  } catch (err) {
    failed(ctx, call, res, err, stop);
    return;
  } finally {
    clearTimeout(ceiling);
    clearTimeout(waiting);
  }
  if (stop !== undefined) {
    await abandon(answer);
    stopped(ctx, call, res, stop);
    return;
  }
  await answered(ctx, call, req, res, answer, () => stop);
}

/**
 * Both legs answer: the caller's leg gets the far leg's 2xx, and (late offer) the far leg the
 * caller's ACK. A stop asked for meanwhile (a drain's hang-up, while a late-offer call waits for
 * its ACK) is kept: once both legs are up, both are hung up rather than joined.
 */
async function answered(
  ctx: RelayPorts,
  call: Call,
  req: InboundRequest,
  res: ResponseChannel,
  answer: Answer,
  stopAsked: () => Stop | undefined,
): Promise<void> {
  const { caller: from, callee: to } = call;
  const ok = answer.kind === 'dialog' ? answer.dialog.res : answer.leg.res;
  const rewritten = call.rewriteBounded(ok.raw, to, from);
  if (rewritten === undefined) {
    await abandon(answer);
    res.send(500, 'Server Internal Error', {});
    call.end('error');
    return;
  }
  let uas: Dialog;
  let uac: Dialog;
  try {
    const { headers, body } = sendOptions(rewritten);
    uas = await ctx.engine.createUAS(req, res, body === undefined ? { headers } : { headers, localSdp: body }, (dialog) =>
      call.adopt({ peer: from, dialog }, 0),
    );
    ctx.observer.record({ type: 'relayed', method: 'INVITE', kind: 'response' });
    uac = answer.kind === 'dialog' ? answer.dialog : await answer.leg.ack(await callersAnswer(uas));
  } catch (err) {
    call.log.warn({ err }, 'caller went away before the call was set up: hanging up the other leg');
    await abandon(answer);
    call.end('abandoned');
    return;
  }
  const stop = stopAsked();
  if (stop !== undefined) {
    call.log.info({ stop }, 'call stopped while it was being answered: hanging up both legs');
    await Promise.allSettled([uas.destroy(), uac.destroy()]);
    call.end(stop === 'canceled' ? 'abandoned' : stop, 'sipcase');
    return;
  }
  call.log.debug({ bCallId: uac.sip.callId, offer: answer.kind === 'late' ? 'late' : 'early' }, 'call answered');
  call.connect({ peer: from, dialog: uas }, { peer: to, dialog: uac }, sessionInterval(rewritten.message)?.seconds);
}

/** Hangs up a leg that answered a call nobody is on any more (ACK, then BYE); failures are moot. */
async function abandon(answer: Answer): Promise<void> {
  await (answer.kind === 'dialog' ? answer.dialog.destroy() : answer.leg.destroy()).catch(() => undefined);
}

/** The SDP answer the caller puts in its ACK to a late-offer 200 OK. */
function callersAnswer(uas: Dialog): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no ACK from the caller within 32 s')), 32_000);
    uas.on('destroy', () => {
      clearTimeout(timer);
      reject(new Error('the caller hung up before it ACKed the 200 OK'));
    });
    uas.on('ack', (ack) => {
      clearTimeout(timer);
      if (ack.body === '') reject(new Error('the caller ACKed a late-offer 200 OK without an SDP answer'));
      else resolve(ack.body);
    });
  });
}

/**
 * Set-up stopped by a CANCEL (drachtio-srf has answered the caller 487), by drain (answer 503 here),
 * or by limits.maxSetupSeconds (answer 408 here).
 */
function stopped(ctx: RelayPorts, call: Call, res: ResponseChannel, stop: Stop): void {
  if (stop === 'drained' && !res.finalResponseSent) {
    res.send(503, 'Service Unavailable', { headers: { 'Retry-After': String(ctx.drainRetryAfterS) } });
  }
  if (stop === 'setup_timeout' && !res.finalResponseSent) {
    call.log.warn({ maxSetupMs: ctx.maxSetupMs }, 'call not answered within limits.maxSetupSeconds: canceled, the caller gets 408');
    res.send(408, 'Request Timeout', {});
  }
  call.end(stop);
}

function failed(ctx: RelayPorts, call: Call, res: ResponseChannel, err: unknown, stop: Stop | undefined): void {
  if (stop !== undefined || res.finalResponseSent) {
    stopped(ctx, call, res, stop ?? 'canceled');
    return;
  }
  if (!isFinalFailure(err)) {
    call.log.error({ err }, 'could not reach the other peer');
    res.send(503, 'Service Unavailable', {});
  } else {
    const back = err.res === undefined ? undefined : call.rewriteBounded(err.res.raw, call.callee, call.caller);
    call.log.info({ status: err.status }, back === undefined ? 'the other leg failed: relaying its status' : 'call failed: relaying the final response');
    res.send(err.status, err.reason ?? err.res?.reason ?? 'Service Unavailable', back === undefined ? {} : sendOptions(back));
    ctx.observer.record({ type: 'relayed', method: 'INVITE', kind: 'response' });
  }
  call.end('failed');
}
