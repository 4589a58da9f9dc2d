/**
 * Whether a new call (or an out-of-dialog OPTIONS, which a SIP balancer uses as a health probe) is
 * taken, as a pure judgment of the instance's state. Refusals are 503 with Retry-After, so a
 * balancer moves the traffic to another instance instead of waiting on this one.
 */
import type { RejectReason } from '../observe.js';

/** What the instance says of itself: stopping (draining), and serving (rules loaded, header case proven). */
export interface Availability {
  readonly draining: boolean;
  readonly serving: boolean;
}

export interface AdmissionLimits {
  readonly maxCalls: number;
  /** Retry-After when the live-call cap is reached: soon, a slot frees as any call ends. */
  readonly busyRetryAfterS: number;
  /** Retry-After while draining or not ready: this instance is going away or is not serving. */
  readonly drainRetryAfterS: number;
}

/** Why new work is not taken now, and when to try again. */
export interface Refusal {
  readonly reason: Extract<RejectReason, 'draining' | 'not_ready' | 'limit'>;
  readonly retryAfterS: number;
}

/** Why this instance must not take new work now, or undefined when it may. */
export function unavailable(state: Availability, limits: AdmissionLimits): Refusal | undefined {
  if (state.draining) return { reason: 'draining', retryAfterS: limits.drainRetryAfterS };
  if (!state.serving) return { reason: 'not_ready', retryAfterS: limits.drainRetryAfterS };
  return undefined;
}

/** As `unavailable`, and also refused when the live-call cap is reached. */
export function admitCall(state: Availability, liveCalls: number, limits: AdmissionLimits): Refusal | undefined {
  return unavailable(state, limits) ?? (liveCalls >= limits.maxCalls ? { reason: 'limit', retryAfterS: limits.busyRetryAfterS } : undefined);
}
