/**
 * Graceful drain (SIGTERM, a fault): with the instance already taking no new calls (it marks itself
 * draining first: readiness false, new INVITEs and OPTIONS 503 + Retry-After), keep relaying
 * everything inside live calls, and finish when the last call ends, or when `timeoutMs` runs out:
 * then hang up what is left (BYE on both legs) and finish all the same. Calls are probed as it
 * starts (spread out), so a drain after a fault waits for the live calls, not for the dead.
 */
import type { Logger } from 'pino';
import { probeSpread } from '../relay/call-watch.js';
import type { Calls } from '../relay/calls.js';

export type DrainEnd = 'empty' | 'timeout';

/** After hanging up at the timeout, how long to wait for the BYEs' answers. */
const HANG_UP_GRACE_MS = 5000;

function within<T>(ms: number, work: Promise<T>, late: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(late), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export async function drain(calls: Calls, timeoutMs: number, log: Logger): Promise<DrainEnd> {
  log.info({ liveCalls: calls.size, timeoutMs }, 'draining: not ready, new calls get 503, live calls go on');
  // A call whose peers are gone would hold the drain to its timeout: probe every call soon, spread
  // over the first half of the drain so no peer gets them in one burst, and the dead end within
  // drachtio-server's 32 s transaction timeout of their probe (relay/call-watch.ts).
  const live = calls.all();
  const delays = probeSpread(live.length, timeoutMs / 2);
  live.forEach((c, i) => c.probeNow(delays[i]));
  const end = await within<DrainEnd>(
    timeoutMs,
    calls.whenEmpty().then(() => 'empty'),
    'timeout',
  );
  if (end === 'empty') {
    log.info('drained: no live calls left');
    return end;
  }
  log.warn({ liveCalls: calls.size }, 'drain timed out: hanging up the calls left with BYE');
  await within(HANG_UP_GRACE_MS, calls.hangUpAll('drained'), undefined);
  await within(HANG_UP_GRACE_MS, calls.whenEmpty(), undefined);
  log.info({ liveCalls: calls.size }, 'drained after hanging up');
  return end;
}
