/**
 * A timer for any length. Node fires a setTimeout longer than 2^31-1 ms (24.8 days) after 1 ms,
 * with only a TimeoutOverflowWarning: a call whose peers agreed a 9-digit Session-Expires was reaped
 * as expired the moment it was answered. A deadline beyond that waits in steps that Node keeps.
 * Deadlines are unref'd: they never keep the process alive.
 */

/** The longest single setTimeout Node honours. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export interface Deadline {
  clear(): void;
}

/** Runs `fn` once, `ms` from now (at once for 0 or less), unless cleared first. */
export function deadline(ms: number, fn: () => void): Deadline {
  let timer: NodeJS.Timeout | undefined;
  let cleared = false;
  const wait = (left: number): void => {
    const step = Math.min(Math.max(left, 0), MAX_TIMEOUT_MS);
    timer = setTimeout(() => {
      if (cleared) return;
      if (left > step) wait(left - step);
      else fn();
    }, step).unref();
  };
  wait(ms);
  return {
    clear: () => {
      cleared = true;
      clearTimeout(timer);
    },
  };
}
