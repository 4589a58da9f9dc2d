import { describe, expect, it } from 'vitest';
import { SourceRate } from './source-rate.js';

describe('per-source request rate (token bucket)', () => {
  it('lets a burst through, refuses what is over it, and says so once per episode', () => {
    const r = new SourceRate(10, 3);
    expect([0, 0, 0, 0, 0].map(() => r.take('10.0.0.1', 1000))).toEqual(['allowed', 'allowed', 'allowed', 'first-refused', 'refused']);
  });

  it('refills at the rate: one more request every 1/rate seconds, never above the burst', () => {
    const r = new SourceRate(10, 2);
    r.take('a', 0);
    r.take('a', 0);
    expect(r.take('a', 50)).toBe('first-refused');
    expect(r.take('a', 100)).toBe('allowed');
    expect(r.take('a', 10_000)).toBe('allowed');
    expect(r.take('a', 10_000)).toBe('allowed');
    expect(r.take('a', 10_000)).toBe('first-refused');
  });

  it("keeps each source apart: a flooding address does not spend another's allowance", () => {
    const r = new SourceRate(1, 1);
    expect(r.take('flood', 0)).toBe('allowed');
    expect(r.take('flood', 0)).toBe('first-refused');
    expect(r.take('calm', 0)).toBe('allowed');
  });

  it('holds at most maxSources buckets, dropping the least recently seen', () => {
    const r = new SourceRate(1, 1, 2);
    r.take('a', 0);
    r.take('b', 0);
    r.take('a', 0);
    r.take('c', 0);
    expect(r.size).toBe(2);
    expect(r.take('a', 0)).toBe('refused');
    expect(r.take('b', 0)).toBe('allowed');
  });

  it('is off at rate 0', () => {
    const r = new SourceRate(0, 0);
    expect(Array.from({ length: 100 }, () => r.take('a', 0)).every((v) => v === 'allowed')).toBe(true);
  });
});
