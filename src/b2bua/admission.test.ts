import { describe, expect, it } from 'vitest';
import { initialStatus, type Status } from '../ops/readiness.js';
import { admitCall, unavailable } from './admission.js';

const limits = { maxCalls: 2, busyRetryAfterS: 5, drainRetryAfterS: 60 };
const serving = (): Status => ({ ...initialStatus('r'), drachtio: 'connected', rules: { file: 'r', loaded: true, count: 1 }, probe: { state: 'passed' } });

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

  it('refuses both while the header-case proof has not passed (never emit a wrong case)', () => {
    for (const probe of [{ state: 'pending' as const }, { state: 'failed' as const, advice: 'x' }]) {
      expect(admitCall({ ...serving(), probe }, 0, limits)).toEqual({ reason: 'not_ready', retryAfterS: 60 });
    }
  });
});
