/**
 * RFC 4028 session timers, as a message states them: `Session-Expires: 1800;refresher=uac` (compact
 * form `x`). A session whose interval passes with no refresh (a re-INVITE or UPDATE answered 2xx)
 * has expired: its refresher is gone.
 */
import type { SipMessage } from './message.js';

export interface SessionInterval {
  readonly seconds: number;
  readonly refresher: 'uac' | 'uas' | undefined;
}

/** The Session-Expires a message carries, or undefined when it has none (or none that reads). */
export function sessionInterval(message: SipMessage): SessionInterval | undefined {
  const h = message.headers.find((x) => x.key === 'session-expires');
  const m = h === undefined ? null : /^\s*(\d{1,9})\s*(?:;(.*))?$/.exec(h.value);
  if (m === null) return undefined;
  const refresher = /(?:^|;)\s*refresher\s*=\s*(uac|uas)\s*(?:;|$)/i.exec(m[2] ?? '')?.[1]?.toLowerCase();
  return { seconds: Number(m[1]), refresher: refresher as 'uac' | 'uas' | undefined };
}
