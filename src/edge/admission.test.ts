import { describe, expect, it } from 'vitest';
import type { Availability } from './admission.js';
import { admitCall, unavailable } from './admission.js';

const limits = { maxCalls: 2, busyRetryAfterS: 5, drainRetryAfterS: 60 };
const serving = (): Availability => ({ draining: false, serving: true });

describe('admission of new calls and OPTIONS probes', () => {
  it('takes them while serving and under the cap', () => {
    expect(admitCall(serving(), 1, limits)).toBeUndefined();
    expect(unavailable(serving(), limits)).toBeUndefined();
  });

  it('refuses new calls at the cap, soon to retry; OPTIONS are still answered', () => {
    expect(admitCall(serving(), 2, limits)).toEqual({ reason: 'limit', retryAfterS: 5 });
    expect(unavailable(serving(), limits)).toBeUndefined();
  });

  it('refuses both while draining, with the drain Retry-After', () => {
    const s = { ...serving(), draining: true };
    expect(admitCall(s, 0, limits)).toEqual({ reason: 'draining', retryAfterS: 60 });
    expect(unavailable(s, limits)).toEqual({ reason: 'draining', retryAfterS: 60 });
  });

  it('refuses both while not serving (rules not loaded, or the header-case proof not passed: never emit a wrong case)', () => {
    expect(admitCall({ ...serving(), serving: false }, 0, limits)).toEqual({ reason: 'not_ready', retryAfterS: 60 });
    expect(unavailable({ ...serving(), serving: false }, limits)).toEqual({ reason: 'not_ready', retryAfterS: 60 });
  });
});
