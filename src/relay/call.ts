/**
 * A call: two dialogs, one per leg, and the relay between them. Every in-dialog request from one
 * leg is rewritten and sent on the other, and the answer comes back rewritten with its status.
 * BYE from either side ends both legs. The call's state lives here and nowhere else; the registry
 * (calls.ts) holds the live ones.
 *
 * Rules and reloads: every message is rewritten by the rules in force when it passes, so a reload
 * applies to live calls from their next message. The one exception is a reload that drops or
 * renames one of the call's two peers: the new rules say nothing about that pair, so the call keeps
 * the rules it started with until it ends. The peers' addresses are pinned too: an in-dialog request
 * must come from the addresses its leg's peer had when the call started (the dialog was set up with
 * them); a reload that moves a peer applies to new calls.
 *
 * Watch: an answered call is probed with in-dialog OPTIONS (probes.ts) and has a ceiling on its age
 * (call-watch.ts); a call found dead, or too old, is ended here on both legs. An in-dialog request
 * crosses through in-dialog.ts.
 *
 * Memory: what the rules remember from the call's messages (rewrite/memory.ts) is held here, passed
 * to the rewrite of each later message on either leg, kept across reloads (it is keyed by the
 * names the rules write, not by rule), and let go when the call ends.
 */
import type { Logger } from 'pino';
import type { CallOutcome, Observer, Way } from '../observe.js';
import type { Cidr, CompiledRules, Peer } from '../rules/types.js';
import { CallLife, type CallState } from './call-state.js';
import { IN_DIALOG_EVENTS, teardownByServer, type Engine, type InboundRequest, type ResponseChannel } from '../drachtio/engine.js';
import { outboundBytes } from './outbound.js';
import { relayRequest, type InDialogCall } from './in-dialog.js';
import type { Leg } from './leg.js';
import { probeLegs } from './probes.js';
import { rewriteForLeg, type Rewritten } from './rewriter.js';
import type { CallMemory } from '../rewrite/memory.js';
import { MAX_MEMORY_NAMES } from '../rules/compile.js';
import { watchCall, type Reaped, type Watch, type WatchSettings } from './call-watch.js';
import type { SipMessage } from '../sip/message.js';
import { CallTransfers, type TransferPorts } from './transfers.js';

/** What a call needs from the rest of sipcase (relay/ports.ts gives it a superset). */
export interface CallPorts {
  /** The rules in force now; a reload swaps them (see the module comment). */
  readonly rules: () => CompiledRules;
  readonly observer: Observer;
  /** Nothing larger than this (bytes as sent on) goes to drachtio-server. */
  readonly maxMessageBytes: number;
  /** Trusted SIP proxies in front of sipcase (rules/origin.ts). */
  readonly proxies: readonly Cidr[];
  /** The live-call registry, told once when the call ends. */
  readonly calls: { remove(call: Call, outcome: CallOutcome): void };
  /** Liveness probes and the ceiling on age of answered calls. */
  readonly watch: WatchSettings;
  /** Where a lost call's dialogs are forgotten. */
  readonly engine: Pick<Engine, 'removeDialog'>;
  /** How transfers are followed, and the recent hand-offs that did not complete. */
  readonly transfers: TransferPorts;
}

/** Longest conversation id kept: it comes from a peer and goes into every transfer's log line. */
const MAX_CONVERSATION_ID = 128;

export type { CallState } from './call-state.js';

export class Call {
  /** The call's state: every change is a move call-state.ts allows. */
  private readonly life = new CallLife();
  private legs: readonly [Leg, Leg] | undefined;
  private abortSetUp: (() => void) | undefined;
  /** Requests and BYEs of adopted legs that came before the legs were joined (see adopt). */
  private early: { readonly run: () => void; readonly refuse: () => void }[] = [];
  /** Legs heard from before connect(), by side: 0 the caller's, 1 the far leg. */
  private readonly adopted: [Leg | undefined, Leg | undefined] = [undefined, undefined];
  private keptOldRules = false;
  private readonly startedAt = Date.now();
  /** Values the rules remembered from this call's messages. */
  private readonly memory = new Map<string, string>();
  private watch: Watch | undefined;
  private answeredAt: number | undefined;
  /** The platform's conversation id (Genesys' x-inin-cnv), from the first message that carried one. */
  private conversationId: string | undefined;
  private readonly transfers: CallTransfers;
  private inDialog: InDialogCall | undefined;
  readonly way: Way;

  constructor(
    private readonly ctx: CallPorts,
    readonly id: string,
    readonly log: Logger,
    readonly caller: Peer,
    readonly callee: Peer,
    private readonly startRules: CompiledRules,
    /** The call's INVITE, rewritten before the call existed: what it remembered, and what it carried. */
    invite: Pick<Rewritten, 'received' | 'remembered'>,
  ) {
    this.way = { from: caller.name, to: callee.name };
    this.transfers = new CallTransfers(ctx.transfers, log, {
      callId: id,
      conversationId: () => this.conversationId,
      bCallId: () => this.legs?.[1].dialog.sip.callId,
    });
    this.remember(invite.remembered);
    this.heard(invite.received);
  }

  /** Notes the conversation id a message carries, if the call has none yet. */
  private heard(message: SipMessage): void {
    if (this.conversationId !== undefined) return;
    const key = this.ctx.transfers.settings.conversationKey;
    const value = message.headers.find((h) => h.key === key)?.value;
    if (value !== undefined && value !== '') this.conversationId = value.slice(0, MAX_CONVERSATION_ID);
  }

  /** How many values the call remembers now (the sipcase_remembered_values gauge adds them up). */
  get rememberedValues(): number {
    return this.memory.size;
  }

  /**
   * Keeps remembered values. A rules file names at most MAX_MEMORY_NAMES, but reloads can bring
   * others to a live call: the call holds no more than that many names whatever the reloads did.
   */
  private remember(values: CallMemory): void {
    for (const [name, value] of values) {
      if (this.memory.size >= MAX_MEMORY_NAMES && !this.memory.has(name)) {
        this.log.warn({ name, limit: MAX_MEMORY_NAMES }, 'call already remembers as many names as it may: this one is not kept');
        continue;
      }
      this.memory.set(name, value);
    }
  }

  get state(): CallState {
    return this.life.state;
  }

  /** The rules this call's next message is rewritten by (see the module comment). */
  rules(): CompiledRules {
    const now = this.ctx.rules();
    if (now === this.startRules || (now.peers.has(this.caller.name) && now.peers.has(this.callee.name))) return now;
    if (!this.keptOldRules) {
      this.keptOldRules = true;
      this.log.warn("the rules in force no longer name both of this call's peers: it keeps the rules it started with");
    }
    return this.startRules;
  }

  /**
   * Rewrites a message going from one peer to the other; undefined (logged) when it cannot be read.
   * What it would remember is not kept yet: only a message that crosses may (see crossing()).
   */
  private rewrite(raw: string, from: Peer, to: Peer): Rewritten | undefined {
    const r = rewriteForLeg(this.rules(), raw, { from: from.name, to: to.name }, this.log, this.ctx.observer, this.memory);
    if (r.ok) return r.value;
    this.log.error({ direction: `${from.name}->${to.name}`, error: r.error }, 'message could not be parsed for rewriting');
    return undefined;
  }

  /**
   * A rewritten message is about to cross: what the rules remembered from it is kept now. A message
   * refused (413, 483, 422, 400) or dropped as too large never reached the other peer, and a later
   * REFER must not carry a value that peer never saw.
   */
  private crossing(out: Rewritten): Rewritten {
    if (this.life.state !== 'ended') this.remember(out.remembered);
    this.heard(out.received);
    return out;
  }

  /**
   * As rewrite(), for what sipcase must send on whatever it holds (an answer, a BYE's headers):
   * also undefined when it would exceed limits.maxMessageBytes. drachtio-server drops an app
   * message of about 12 KB or more, and then carries nothing more on that connection (measured:
   * npm run bench:limits): every later call of the instance would be lost. Callers send such a
   * message on without its headers and body, as they do one sipcase cannot read.
   */
  rewriteBounded(raw: string, from: Peer, to: Peer): Rewritten | undefined {
    const out = this.rewrite(raw, from, to);
    if (out === undefined) return undefined;
    if (outboundBytes(out) <= this.ctx.maxMessageBytes) return this.crossing(out);
    this.log.warn(
      { direction: `${from.name}->${to.name}`, bytes: outboundBytes(out), limit: this.ctx.maxMessageBytes },
      'message over limits.maxMessageBytes: sent on without its headers and body',
    );
    return undefined;
  }

  /** During set-up: what hangUp() does to stop it (cancel the other leg, answer the caller). */
  onAbort(abort: () => void): void {
    this.abortSetUp = abort;
  }

  /**
   * A leg exists (`side` 0: the caller's, answered; 1: the far leg, which answered): its events are
   * heard from this moment, which the engine calls before anything else it read (drachtio/engine.ts).
   * A peer may send at once: the far leg a REFER while the caller's leg is still being answered,
   * the caller its BYE in the same read as drachtio-server's word that the 200 went out. Until
   * connect() joins the legs, they wait here and then cross in order; a call that never connects
   * answers them 481. Unheard, drachtio-srf would answer a request 200 itself (a transfer lost) and
   * a BYE would leave the call up with one leg gone.
   */
  adopt(leg: Leg, side: 0 | 1): void {
    this.adopted[side] = leg;
    const other = () => (this.legs as readonly [Leg, Leg])[1 - side] as Leg;
    for (const event of IN_DIALOG_EVENTS) {
      leg.dialog.on(event, (req, res) => {
        if (this.legs !== undefined) return void this.relay(leg, other(), req, res);
        const refuse = () => res.send(481, 'Call/Transaction Does Not Exist', {});
        if (this.life.state === 'ended') return refuse();
        this.early.push({ run: () => void this.relay(leg, other(), req, res), refuse });
      });
    }
    leg.dialog.on('destroy', (bye, reason) => {
      if (this.legs !== undefined) return void this.onBye(leg, other(), bye, reason);
      this.early.push({ run: () => void this.onBye(leg, other(), bye, reason), refuse: () => undefined });
    });
  }

  /**
   * Joins the two legs: `a` is the caller's side, `b` the side sipcase called (adopted or not);
   * `sessionSeconds`, the session interval the call's 2xx states (RFC 4028), if it states one.
   */
  connect(a: Leg, b: Leg, sessionSeconds?: number): void {
    if (!this.life.can('answered')) {
      // It ended while its caller's leg was being answered (the connection to drachtio-server
      // went, say): there is nothing to join them into, so neither leg stays up.
      this.log.warn({ state: this.life.state }, 'call ended while it was being answered: hanging up both legs');
      void Promise.allSettled([a.dialog.destroy(), b.dialog.destroy()]);
      return;
    }
    this.life.move('answered');
    this.legs = [a, b];
    this.abortSetUp = undefined;
    this.answeredAt = Date.now();
    this.ctx.observer.record({ type: 'call-answered', way: this.way });
    if (this.adopted[0]?.dialog !== a.dialog) this.wire(a, b);
    if (this.adopted[1]?.dialog !== b.dialog) this.wire(b, a);
    const waiting = this.early;
    this.early = [];
    for (const w of waiting) w.run();
    this.watch = watchCall(
      this.ctx.watch,
      { probe: () => probeLegs(this.legs ?? [], this.log), reap: (outcome, detail, leg) => this.reap(outcome, detail, leg) },
      sessionSeconds,
    );
  }

  /** Probes both legs `inMs` from now rather than at the next interval (a drain wants the dead gone soon). */
  probeNow(inMs = 0): void {
    this.watch?.probeNow(inMs);
  }

  /**
   * Ends an answered call that is dead or too old: BYE on both legs (to a leg that is gone too, so
   * drachtio-server lets its dialog go), and the call is over at once, not when the BYEs are answered.
   */
  private reap(outcome: Reaped, detail: string, leg?: number): void {
    if (this.life.state !== 'answered' || this.legs === undefined) return;
    this.life.move('ending');
    this.log.warn({ outcome, detail, gone: leg === undefined ? undefined : this.legs[leg]?.peer.name }, 'sipcase ends the call on both legs');
    for (const l of this.legs) void l.dialog.destroy().catch(() => undefined);
    this.end(outcome, 'sipcase');
  }

  private wire(from: Leg, to: Leg): void {
    for (const event of IN_DIALOG_EVENTS) {
      from.dialog.on(event, (req, res) => void this.relay(from, to, req, res));
    }
    from.dialog.on('destroy', (bye, reason) => void this.onBye(from, to, bye, reason));
  }

  /** One in-dialog request across (in-dialog.ts). */
  private relay(from: Leg, to: Leg, req: InboundRequest, res: ResponseChannel): Promise<void> {
    return relayRequest(this.inDialogView(), from, to, req, res);
  }

  /** What the in-dialog relay needs of this call; made at the call's first in-dialog request (most calls have none but the BYE). */
  private inDialogView(): InDialogCall {
    this.inDialog ??= {
      ports: this.ctx,
      log: this.log,
      answered: () => this.life.state === 'answered',
      rewrite: (raw, from, to) => this.rewrite(raw, from, to),
      rewriteBounded: (raw, from, to) => this.rewriteBounded(raw, from, to),
      crossing: (out) => void this.crossing(out),
      transfers: this.transfers,
      refreshed: (seconds) => this.watch?.refreshed(seconds),
    };
    return this.inDialog;
  }

  /**
   * A BYE ended one leg: it crosses to the other, and the call is over. A BYE drachtio-server made
   * itself because the session timer ran out is the call expiring (outcome expired, ended by
   * drachtio-server), exactly as when sipcase's own watch fires first: the two timers run on the
   * same interval, and the outcome must not depend on which one wins.
   */
  private async onBye(from: Leg, to: Leg, bye: InboundRequest, reason?: string): Promise<void> {
    // As in relay(): an answer read with the BYE (a peer answers a request and hangs up at once)
    // crosses first; sent on ahead of it, the BYE would end a dialog with a transaction still open.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.life.state !== 'answered') return;
    this.life.move('ending');
    const expired = teardownByServer(reason) === 'session_timer';
    if (expired) this.log.warn({ leg: from.peer.name }, "drachtio-server ended the caller's dialog: no session refresh within its interval");
    const out = this.rewriteBounded(bye.raw, from.peer, to.peer);
    this.ctx.observer.record({ type: 'relayed', method: 'BYE', kind: 'request' });
    try {
      await to.dialog.destroy(out === undefined ? undefined : { headers: out.headers });
    } catch (err) {
      this.log.warn({ err }, 'BYE toward the other leg failed');
    }
    if (expired) this.end('expired', 'drachtio-server');
    else this.end('completed', from.peer.name);
  }

  /**
   * Ends the call from sipcase's side (drain timeout): BYE on both legs of an answered call; a call
   * still being set up has its other leg canceled and its caller answered.
   */
  async hangUp(outcome: CallOutcome): Promise<void> {
    if (this.life.state === 'setting-up') {
      this.abortSetUp?.();
      return;
    }
    if (this.life.state !== 'answered' || this.legs === undefined) return;
    this.life.move('ending');
    this.log.info({ outcome }, 'sipcase hangs up both legs');
    await Promise.allSettled(this.legs.map((leg) => leg.dialog.destroy()));
    this.end(outcome, 'sipcase');
  }

  /**
   * drachtio-server's connection is gone, and with it every dialog of the call: nothing can be sent
   * on them, so they are forgotten (drachtio-srf too) and the call ends as lost.
   */
  lose(): void {
    // Joined, its two legs; still being set up, the legs that exist so far.
    for (const leg of this.legs ?? this.adopted) if (leg !== undefined) this.ctx.engine.removeDialog(leg.dialog);
    this.end('lost', 'drachtio-server');
  }

  /**
   * Forgets the call; safe to call more than once. Its one info line says how it went, like a
   * call detail record: outcome, who ended it, the other leg's Call-ID, set-up and talk time.
   */
  end(outcome: CallOutcome, by?: string): void {
    if (this.life.state === 'ended') return;
    this.life.move('ended');
    this.abortSetUp = undefined;
    const waiting = this.early;
    this.early = [];
    for (const w of waiting) w.refuse();
    this.watch?.stop();
    this.memory.clear();
    this.transfers.callEnded();
    this.ctx.calls.remove(this, outcome);
    const answered = this.answeredAt;
    const timing =
      answered === undefined ? { setupMs: Date.now() - this.startedAt } : { setupMs: answered - this.startedAt, durationMs: Date.now() - answered };
    const transfers = this.transfers.outcomes.length === 0 ? undefined : this.transfers.outcomes;
    this.log.info({ outcome, endedBy: by, bCallId: this.legs?.[1].dialog.sip.callId, conversationId: this.conversationId, transfers, ...timing }, 'call ended');
  }
}
