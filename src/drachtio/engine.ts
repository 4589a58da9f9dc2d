/**
 * The part of drachtio-srf sipcase uses, typed narrowly. drachtio-srf's bundled types are `any`
 * almost everywhere; the shell talks to this interface instead, and `fromSrf` is the one place
 * where the real library is adapted to it (tests use a fake).
 *
 * What sipcase adapts in drachtio-srf, and where:
 * - its header-name lookup (sip-parser/parser getHeaderName) is replaced, so the names the rules
 *   emit are sent as written: preserve.ts, installed by instance/instance.ts as a start-up step, fed by the
 *   rules keeper at every load;
 * - createUAC with `noAck` (a late-offer leg whose ACK carries the caller's answer):
 *   createLateOfferUac below;
 * - the Srf object itself is seen through the Engine interface (fromSrf: its create calls in their
 *   callback form, so a new dialog is heard from before drachtio-srf reads on), and the few calls
 *   the shell makes beyond it (connect, use, request...) through instance/instance.ts's SrfApp;
 * - its status table, completed to every code RFC 3261 allows (status-codes.ts): a start-up step.
 *
 * What is left as it is, on purpose: drachtio-srf ACKs a re-INVITE's non-2xx answer through
 * drachtio-server, which has ACKed it in the transaction already and so sends a second, stray ACK
 * (its log: "TimerDHandler::addAck - failed to find outbound invite"). Without that ACK,
 * drachtio-server 0.9.10 keeps the refused re-INVITE's transaction on the leg, and a later BYE on
 * that leg "cancels" it ("sending BYE during re-invite on leg ..., so canceling orq ..."): by then
 * another call's INVITE holds that transaction's place, and that call gets the CANCEL (measured by
 * the conformance campaign: docs/conformance.md). A stray ACK a peer ignores is the lesser harm.
 */
import type { EventEmitter } from 'node:events';

export type HeaderMap = Record<string, string>;

export interface SendOptions {
  readonly headers?: HeaderMap;
  readonly body?: string;
}

/** A message as drachtio-server handed it over: its raw text is what the rules read. */
export interface WireMessage {
  readonly raw: string;
  readonly body: string;
}

export interface InboundRequest extends WireMessage {
  readonly method: string;
  readonly uri: string;
  readonly source_address: string;
  readonly source_port: number;
  get(name: string): string | undefined;
  on(event: 'cancel', listener: () => void): unknown;
}

export interface InboundResponse extends WireMessage {
  readonly status: number;
  readonly reason: string;
}

export interface ResponseChannel {
  send(status: number, reason: string, opts: SendOptions): void;
  readonly finalResponseSent: boolean;
}

export interface OutboundRequest {
  cancel(): void;
}

/** In-dialog request events a Dialog emits (`modify` is a re-INVITE). */
export const IN_DIALOG_EVENTS = ['modify', 'update', 'info', 'options', 'message', 'notify', 'refer'] as const;
export type InDialogEvent = (typeof IN_DIALOG_EVENTS)[number];

export interface Dialog {
  readonly id: string;
  readonly sip: { readonly callId: string };
  /** For a UAC dialog: the 200 OK that created it. */
  readonly res: InboundResponse;
  request(opts: { method: string; headers: HeaderMap; body?: string }): Promise<InboundResponse>;
  destroy(opts?: { headers: HeaderMap }): Promise<unknown>;
  on(event: InDialogEvent, listener: (req: InboundRequest, res: ResponseChannel) => void): unknown;
  /**
   * The dialog ended from the other side: the peer's BYE, or drachtio-server's own (see
   * teardownByServer). `reason` is drachtio-srf's word for it.
   */
  on(event: 'destroy', listener: (req: InboundRequest, reason?: string) => void): unknown;
  /** The ACK to a 2xx this dialog sent. */
  on(event: 'ack', listener: (req: InboundRequest) => void): unknown;
}

/**
 * Why drachtio-server itself ended a dialog, when it did: it tears down the caller's dialog when a
 * refresher=uac caller lets its RFC 4028 session interval pass with no refresh (its log: "tearing
 * down sip dialog ... because remote peer did not refresh the session within the specified
 * interval"), sending BYE with `Reason: SIP;cause=200;text="Session timer expired"` to the peer
 * and a BYE to the app. drachtio-srf hands the app that Reason's text (`reason` of `destroy`) only
 * for a BYE drachtio-server made (source "application"); a peer's BYE gives "normal release".
 */
export function teardownByServer(reason: string | undefined): 'session_timer' | undefined {
  return reason !== undefined && /^session timer expired$/i.test(reason.trim()) ? 'session_timer' : undefined;
}

/**
 * A late-offer leg (INVITE sent without SDP, `noAck`): the far end's 200 OK carries the offer,
 * and the leg is only a dialog once `ack` sends the answer.
 */
export interface LateOfferLeg {
  readonly sdp: string;
  readonly res: InboundResponse;
  ack(answer: string): Promise<Dialog>;
  destroy(): Promise<void>;
}

export interface UacOptions {
  readonly headers: HeaderMap;
  readonly localSdp?: string;
  readonly callingNumber?: string;
  readonly callingName?: string;
  /** Late offer: do not ACK the 200 OK; resolve with a LateOfferLeg instead of a Dialog. */
  readonly noAck?: boolean;
  /** Send the INVITE through this outbound proxy (a SIP URI) rather than straight to the target. */
  readonly proxy?: string;
}

export interface UacProgress {
  readonly cbRequest: (err: unknown, req: OutboundRequest) => void;
  readonly cbProvisional: (res: InboundResponse) => void;
}

/**
 * Called with a new dialog before drachtio-srf reads anything more: a listener attached here hears
 * a request or BYE that came in the same read as the dialog's own 200 (or its confirmation).
 * Attached after an await, it would not: the promise resumes only after the rest of the read.
 */
export type Adopt = (dialog: Dialog) => void;

export interface Engine {
  createUAC(uri: string, opts: UacOptions, progress: UacProgress, adopt?: Adopt): Promise<Dialog>;
  createUAS(req: InboundRequest, res: ResponseChannel, opts: { localSdp?: string; headers: HeaderMap }, adopt?: Adopt): Promise<Dialog>;
  /**
   * Lets drachtio-srf forget a dialog nothing can be sent on any more (drachtio-server's connection
   * is gone): it only forgets dialogs ended by a BYE, and would otherwise hold it and its
   * listeners for the life of the process.
   */
  removeDialog(dialog: Dialog): void;
}

/** Dialogs drachtio-srf holds now (its private map; undefined if a later version moves it). */
export function dialogsHeld(srf: EventEmitter): number | undefined {
  const held = (srf as unknown as { _dialogs?: unknown })._dialogs;
  return held instanceof Map ? held.size : undefined;
}

/** A final non-2xx answer, as drachtio-srf reports one (SipError). */
export interface FinalFailure {
  readonly status: number;
  readonly reason?: string;
  readonly res?: InboundResponse;
}

export function isFinalFailure(e: unknown): e is FinalFailure {
  return typeof e === 'object' && e !== null && typeof (e as { status?: unknown }).status === 'number';
}

/** createUAC for an INVITE without SDP: drachtio-srf resolves `noAck` calls with a LateOfferLeg. */
export function createLateOfferUac(engine: Engine, uri: string, opts: UacOptions, progress: UacProgress): Promise<LateOfferLeg> {
  return engine.createUAC(uri, { ...opts, noAck: true }, progress) as unknown as Promise<LateOfferLeg>;
}

type Callback = (err: unknown, dialog: Dialog) => void;

/** What of the Srf object fromSrf uses: its create calls in their callback form. */
interface SrfCalls {
  createUAC(uri: string, opts: UacOptions, progress: UacProgress, callback: Callback): unknown;
  createUAS(req: InboundRequest, res: ResponseChannel, opts: { localSdp?: string; headers: HeaderMap }, callback: Callback): unknown;
  removeDialog(dialog: Dialog): void;
}

/**
 * A create call's callback as a promise; `adopt` runs inside the callback, which drachtio-srf calls
 * as it makes the dialog, before it reads on (the promise form resumes only after that).
 */
function created(call: (callback: Callback) => unknown, adopt: Adopt | undefined): Promise<Dialog> {
  return new Promise((resolve, reject) => {
    call((err, dialog) => {
      if (err) return reject(err instanceof Error || isFinalFailure(err) ? err : new Error(String(err)));
      try {
        adopt?.(dialog);
      } finally {
        resolve(dialog);
      }
    });
  });
}

/** The drachtio-srf Srf object, seen through this interface. */
export function fromSrf(srf: EventEmitter): Engine {
  const calls = srf as unknown as SrfCalls;
  return {
    // A late-offer (noAck) leg is not a dialog yet: nothing to adopt until its ACK.
    createUAC: (uri, opts, progress, adopt) => created((cb) => calls.createUAC(uri, opts, progress, cb), opts.noAck === true ? undefined : adopt),
    createUAS: (req, res, opts, adopt) => created((cb) => calls.createUAS(req, res, opts, cb), adopt),
    removeDialog: (dialog) => calls.removeDialog(dialog),
  };
}
