/**
 * The liveness probes: sipcase's own in-dialog OPTIONS on each leg of an answered call (never
 * relayed), at the interval call-watch.ts keeps. What a leg answers is what call-watch.ts judges.
 */
import type { Logger } from 'pino';
import type { Leg } from './leg.js';

/** Each leg's answer to an OPTIONS: its status, 0 when the request failed outright. */
export function probeLegs(legs: readonly Leg[], log: Logger): Promise<number[]> {
  return Promise.all(legs.map((leg) => probeLeg(leg, log)));
}

function probeLeg(leg: Leg, log: Logger): Promise<number> {
  return leg.dialog.request({ method: 'OPTIONS', headers: {} }).then(
    (r) => {
      if (log.isLevelEnabled('debug'))
        log.debug({ peer: leg.peer.name, status: r.status, reason: r.reason, raw: r.status === 200 ? undefined : r.raw }, 'liveness: OPTIONS answered');
      return r.status;
    },
    (err: unknown) => {
      log.debug({ peer: leg.peer.name, err }, 'liveness: OPTIONS failed');
      return 0;
    },
  );
}
