/**
 * What a request must pass, once rewritten, before it is sent on to the other leg: a hop left
 * (RFC 3261 §16.3), a size drachtio-server carries, for a REFER a Refer-To to act on, and a
 * session interval RFC 4028 allows. A request that fails is answered here, by sipcase, and never
 * reaches the other peer.
 */
import type { RejectReason } from '../observe.js';
import type { SipMessage } from '../sip/message.js';
import { hopsExhausted, outboundBytes, type Outbound } from './outbound.js';
import { referToProblem } from './refer.js';
import { sessionInterval } from '../sip/session-timer.js';

/**
 * RFC 4028's floor for a session interval (Min-SE may not be set lower). drachtio-server 0.9.10
 * aborts (an assertion in su_timer_create, every call of the instance gone) when a leg's 2xx
 * states a much shorter one it must refresh: measured with Session-Expires: 4, which a callee
 * echoes from the INVITE. A request asking for less gets 422 with Min-SE: 90 (RFC 4028 §8.1).
 */
export const MIN_SESSION_INTERVAL_S = 90;

export interface RelayRefusal {
  readonly status: number;
  readonly reason: string;
  readonly why: Extract<RejectReason, 'hops' | 'too_large' | 'malformed' | 'session_interval'>;
  readonly headers?: Readonly<Record<string, string>>;
}

export function refuseRelay(message: SipMessage, out: Outbound, maxMessageBytes: number): RelayRefusal | undefined {
  if (hopsExhausted(message)) return { status: 483, reason: 'Too Many Hops', why: 'hops' };
  // drachtio-server 0.9.10 drops an app's message of about 12 KB or more, and its connection then
  // carries nothing more (npm run bench:limits): refused as too large (RFC 3261 §21.5.14).
  if (outboundBytes(out) > maxMessageBytes) return { status: 513, reason: 'Message Too Large', why: 'too_large' };
  const refer = referToProblem(message);
  if (refer !== undefined) return { status: 400, reason: refer, why: 'malformed' };
  const interval = sessionInterval(message);
  if (interval !== undefined && interval.seconds < MIN_SESSION_INTERVAL_S) {
    return { status: 422, reason: 'Session Interval Too Small', why: 'session_interval', headers: { 'Min-SE': String(MIN_SESSION_INTERVAL_S) } };
  }
  return undefined;
}
