/**
 * What a request must pass, once rewritten, before it is sent on to the other leg: a hop left
 * (RFC 3261 §16.3), a size drachtio-server carries, and for a REFER a Refer-To to act on. A
 * request that fails is answered here, by sipcase, and never reaches the other peer.
 */
import type { RejectReason } from '../observe.js';
import type { SipMessage } from '../sip/message.js';
import { hopsExhausted, outboundBytes, type Outbound } from './outbound.js';
import { referToProblem } from './refer.js';

export interface RelayRefusal {
  readonly status: number;
  readonly reason: string;
  readonly why: Extract<RejectReason, 'hops' | 'too_large' | 'malformed'>;
}

export function refuseRelay(message: SipMessage, out: Outbound, maxMessageBytes: number): RelayRefusal | undefined {
  if (hopsExhausted(message)) return { status: 483, reason: 'Too Many Hops', why: 'hops' };
  // drachtio-server 0.9.10 drops an app's message of about 12 KB or more, and its connection then
  // carries nothing more (npm run bench:limits): refused as too large (RFC 3261 §21.5.14).
  if (outboundBytes(out) > maxMessageBytes) return { status: 513, reason: 'Message Too Large', why: 'too_large' };
  const refer = referToProblem(message);
  if (refer !== undefined) return { status: 400, reason: refer, why: 'malformed' };
  return undefined;
}
