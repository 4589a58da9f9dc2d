/**
 * One small seam for counting what happens: every call, relay, reject, rewrite, lint finding,
 * reload, drachtio-server connection change and unhandled fault goes through `Observer.record` as a typed
 * observation. Metrics (src/ops/metrics.ts) hang on it; tests record into a list.
 */
import type { ReservedFamily } from './genesys/reserved-headers.js';
import type { ActionKind } from './rules/types.js';
import type { UuiPlace, UuiVerdict } from './transfer/refer-facts.js';
import type { TransferOutcome } from './transfer/transfer.js';
import type { UuiFindingCode } from './uui/lint.js';

/** Why a request was answered by sipcase itself instead of being relayed. */
export const REJECT_REASONS = [
  'unknown_source',
  'method',
  'limit',
  'rate',
  'too_large',
  'hops',
  'draining',
  'not_ready',
  'malformed',
  'session_interval',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/**
 * How a call ended: `completed` (answered, then BYE), `failed` (the far end refused or could not be
 * reached), `canceled` (the caller canceled), `abandoned` (the caller went away during set-up),
 * `drained` (hung up by sipcase when the drain timed out), `error` (sipcase could not relay it),
 * `lost` (the connection to drachtio-server went, and the call's dialogs with it).
 */
export const CALL_OUTCOMES = [
  'completed',
  'failed',
  'canceled',
  'abandoned',
  'drained',
  'error',
  'lost',
  'unreachable',
  'expired',
  'max_age',
  'setup_timeout',
] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/** `ok`: new rules in force; `invalid`: the file is bad; `unpreserved`: drachtio-server would re-case a name. */
export const RELOAD_RESULTS = ['ok', 'invalid', 'unpreserved'] as const;
export type ReloadResult = (typeof RELOAD_RESULTS)[number];

/** A fault nobody handled: an exception thrown out of an event handler, or a rejected promise without a handler. */
export const FAULT_KINDS = ['uncaught_exception', 'unhandled_rejection'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The two peers a call or message goes between, by peer name. */
export interface Way {
  readonly from: string;
  readonly to: string;
}

export type Observation =
  | { readonly type: 'rejected'; readonly reason: RejectReason }
  | { readonly type: 'rewrite'; readonly rule: string; readonly action: ActionKind }
  /** An action that found nothing to work on (a number no library could read, a value with nothing to build it from). */
  | { readonly type: 'rewrite-skipped'; readonly rule: string; readonly action: ActionKind }
  | { readonly type: 'rewrite-time'; readonly seconds: number }
  /** A transfer's outcome; `seconds` from REFER to the final NOTIFY, when one came. */
  | {
      readonly type: 'transfer';
      readonly way: Way;
      readonly outcome: TransferOutcome;
      readonly uui: UuiPlace;
      readonly verdict: UuiVerdict;
      readonly seconds: number | undefined;
    }
  /** A new call's INVITE carries the context of a hand-off that did not complete (transfer/fallback.ts). */
  | { readonly type: 'transfer-fallback'; readonly way: Way }
  /** A header Genesys reserves for itself, on a message toward a Genesys peer from the other side. */
  | { readonly type: 'reserved-header'; readonly way: Way; readonly family: ReservedFamily }
  | { readonly type: 'uui-finding'; readonly code: UuiFindingCode }
  | { readonly type: 'call-started'; readonly way: Way }
  | { readonly type: 'call-answered'; readonly way: Way }
  | { readonly type: 'call-ended'; readonly way: Way; readonly outcome: CallOutcome }
  | { readonly type: 'relayed'; readonly method: string; readonly kind: 'request' | 'response' }
  | { readonly type: 'reload'; readonly result: ReloadResult }
  | { readonly type: 'drachtio'; readonly connected: boolean }
  | { readonly type: 'fault'; readonly kind: FaultKind };

export interface Observer {
  record(o: Observation): void;
}

/** Keeps every observation, in order: what the tests read. */
export class Recorder implements Observer {
  readonly seen: Observation[] = [];

  record(o: Observation): void {
    this.seen.push(o);
  }

  /** How many observations of one type match every given field. */
  count<T extends Observation['type']>(type: T, fields: Partial<Extract<Observation, { type: T }>> = {}): number {
    return this.seen.filter(
      (o) => o.type === type && Object.entries(fields).every(([k, v]) => JSON.stringify((o as unknown as Record<string, unknown>)[k]) === JSON.stringify(v)),
    ).length;
  }
}
