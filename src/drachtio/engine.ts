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
 * - the Srf object itself is seen through the Engine interface (fromSrf), and the few calls the
 *   shell makes beyond it (connect, use, request...) through instance/instance.ts's SrfApp.
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
  /** `destroy`: the far end's BYE; `ack`: the ACK to a 2xx this dialog sent. */
  on(event: 'destroy' | 'ack', listener: (req: InboundRequest) => void): unknown;
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

export interface Engine {
  createUAC(uri: string, opts: UacOptions, progress: UacProgress): Promise<Dialog>;
  createUAS(req: InboundRequest, res: ResponseChannel, opts: { localSdp?: string; headers: HeaderMap }): Promise<Dialog>;
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

/** The drachtio-srf Srf object, seen through this interface. */
export function fromSrf(srf: EventEmitter): Engine {
  return srf as unknown as Engine;
}
