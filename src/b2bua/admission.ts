/**
 * Whether a new call (or an out-of-dialog OPTIONS, which a SIP balancer uses as a health probe) is
 * taken, as a pure judgment of the instance's state. Refusals are 503 with Retry-After, so a
 * balancer moves the traffic to another instance instead of waiting on this one.
 */
import type { RejectReason } from '../observe.js';
import { probeAllows, type Status } from '../ops/readiness.js';

export interface AdmissionLimits {
  readonly maxCalls: number;
  /** Retry-After when the live-call cap is reached: soon, a slot frees as any call ends. */
  readonly busyRetryAfterS: number;
  /** Retry-After while draining or not ready: this instance is going away or is not serving. */
  readonly drainRetryAfterS: number;
}

export interface Refusal {
  readonly reason: Extract<RejectReason, 'draining' | 'not_ready' | 'limit'>;
  readonly retryAfterS: number;
}

/** Why this instance must not take new work now, or undefined when it may. */
export function unavailable(status: Status, limits: AdmissionLimits): Refusal | undefined {
  if (status.draining) return { reason: 'draining', retryAfterS: limits.drainRetryAfterS };
  if (!status.rules.loaded || !probeAllows(status.probe)) {
    return { reason: 'not_ready', retryAfterS: limits.drainRetryAfterS };
  }
  return undefined;
}

/** As `unavailable`, and also refused when the live-call cap is reached. */
export function admitCall(status: Status, liveCalls: number, limits: AdmissionLimits): Refusal | undefined {
  return unavailable(status, limits) ?? (liveCalls >= limits.maxCalls ? { reason: 'limit', retryAfterS: limits.busyRetryAfterS } : undefined);
}
