import { describe, expect, it } from 'vitest';
import { initialStatus, readiness, type Status } from './readiness.js';

const serving = (): Status => ({
  ...initialStatus('rules.json'),
  drachtio: 'connected',
  rules: { file: 'rules.json', loaded: true, count: 5 },
  probe: { state: 'passed' },
});

describe('readiness', () => {
  it('is ready when connected, rules loaded, probe passed and not draining', () => {
    expect(readiness(serving())).toEqual({
      ready: true,
      failing: [],
      drachtio: 'connected',
      rules: '5 rules from rules.json',
      probe: 'passed',
      draining: false,
    });
  });

  it('a skipped probe (disabled, or no name to prove) does not block readiness', () => {
    expect(readiness({ ...serving(), probe: { state: 'skipped', why: 'probe.enabled is false' } })).toMatchObject({
      ready: true,
      probe: 'skipped (probe.enabled is false)',
    });
  });

  it('names every failing check', () => {
    const r = readiness({ ...initialStatus('rules.json'), drachtio: 'disconnected', probe: { state: 'failed', advice: 'set X' }, draining: true });
    expect(r).toMatchObject({ ready: false, failing: ['drachtio', 'rules', 'probe', 'draining'], rules: 'not loaded (rules.json)', probe: 'failed: set X' });
  });

  it('starts not ready: connecting, nothing loaded, probe pending', () => {
    expect(readiness(initialStatus('r.json')).failing).toEqual(['drachtio', 'rules', 'probe']);
  });

  it('a refused reload leaves the instance ready and says why', () => {
    const lastReload = { at: '2026-01-01T00:00:00.000Z', result: 'invalid' as const, message: '$: not valid JSON' };
    expect(readiness({ ...serving(), lastReload })).toMatchObject({ ready: true, lastReload });
  });
});
