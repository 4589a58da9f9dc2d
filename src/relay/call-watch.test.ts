import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { legHealth, probeSpread, watchCall, type Watched } from './call-watch.js';

/** A watched call whose legs answer OPTIONS with `answers`, recording probes and the reaping. */
function watched(answers: number[][]): Watched & { probes: number; reaped: unknown[] } {
  const w = {
    probes: 0,
    reaped: [] as unknown[],
    probe: async () => answers[Math.min(w.probes++, answers.length - 1)] as number[],
    reap: (outcome: string, detail: string, leg?: number) => void w.reaped.push([outcome, detail, leg]),
  };
  return w;
}

describe('the watch over an answered call', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('408, 481 or no answer at all is a leg gone; 503 is doubtful; any other answer (405, 501 included) shows the dialog is there', () => {
    expect([0, 408, 481].map(legHealth)).toEqual(['gone', 'gone', 'gone']);
    expect(legHealth(503)).toBe('doubtful');
    expect([200, 404, 405, 486, 501, 500].map(legHealth)).toEqual(['there', 'there', 'there', 'there', 'there', 'there']);
  });

  it('503 twice in a row on one leg (a port that refuses, as drachtio-server reports it) is gone; once, then 200, is not', async () => {
    const flaky = watched([
      [200, 503],
      [200, 200],
      [200, 503],
      [503, 200],
    ]);
    watchCall({ livenessMs: 1000, maxAgeMs: 0 }, flaky);
    await vi.advanceTimersByTimeAsync(4000);
    expect([flaky.probes, flaky.reaped]).toEqual([4, []]);
    const refused = watched([
      [200, 503],
      [200, 503],
    ]);
    watchCall({ livenessMs: 1000, maxAgeMs: 0 }, refused);
    await vi.advanceTimersByTimeAsync(2000);
    expect(refused.reaped).toEqual([['unreachable', 'OPTIONS answered 503 2 times in a row', 1]]);
  });

  it('probes every interval while both legs answer, and stops probing once stopped', async () => {
    const w = watched([[200, 200]]);
    const watch = watchCall({ livenessMs: 30_000, maxAgeMs: 0 }, w);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(w.probes).toBe(0);
    await vi.advanceTimersByTimeAsync(90_001);
    expect(w.probes).toBe(4);
    watch.stop();
    await vi.advanceTimersByTimeAsync(300_000);
    expect([w.probes, w.reaped]).toEqual([4, []]);
  });

  it('a leg that answers 481 gets the call reaped as unreachable, naming the leg; no probe after', async () => {
    const w = watched([
      [200, 200],
      [200, 481],
    ]);
    watchCall({ livenessMs: 30_000, maxAgeMs: 0 }, w);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(w.reaped).toEqual([['unreachable', 'OPTIONS answered 481', 1]]);
    expect(w.probes).toBe(2);
  });

  it('a probe that failed outright (no answer) is unreachable too', async () => {
    const w = watched([[0, 200]]);
    watchCall({ livenessMs: 1000, maxAgeMs: 0 }, w);
    await vi.advanceTimersByTimeAsync(1000);
    expect(w.reaped).toEqual([['unreachable', 'no answer to OPTIONS', 0]]);
  });

  it('probeNow probes at once (a drain), and the ceiling on age reaps as max_age', async () => {
    const w = watched([[200, 200]]);
    const watch = watchCall({ livenessMs: 30_000, maxAgeMs: 45_000 }, w);
    watch.probeNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(w.probes).toBe(1);
    await vi.advanceTimersByTimeAsync(45_000);
    expect(w.reaped).toEqual([['max_age', 'answered 45 s ago', undefined]]);
  });

  it('with both off, nothing is ever probed or reaped', async () => {
    const w = watched([[481, 481]]);
    const watch = watchCall({ livenessMs: 0, maxAgeMs: 0 }, w);
    watch.probeNow();
    await vi.advanceTimersByTimeAsync(86_400_000);
    expect([w.probes, w.reaped]).toEqual([0, []]);
  });

  it('a session timer: each refresh restarts the interval; an interval and its grace (30 s of 90) with none end the call as expired', async () => {
    const w = watched([[200, 200]]);
    const watch = watchCall({ livenessMs: 0, maxAgeMs: 0 }, w, 90);
    await vi.advanceTimersByTimeAsync(100_000);
    watch.refreshed(90);
    await vi.advanceTimersByTimeAsync(119_000);
    expect(w.reaped).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(w.reaped).toEqual([['expired', 'no session refresh within its 90 s interval', undefined]]);
  });

  it('a 9-digit session interval (peers may agree one) does not expire the call when it is answered', async () => {
    const w = watched([[200, 200]]);
    const watch = watchCall({ livenessMs: 0, maxAgeMs: 0 }, w, 999_999_999);
    await vi.advanceTimersByTimeAsync(86_400_000);
    expect(w.reaped).toEqual([]);
    watch.stop();
  });

  it('a drain probes calls spread out: 50 calls a second at most, all within its window; each in its turn', async () => {
    expect(probeSpread(4, 60_000)).toEqual([0, 20, 40, 60]);
    expect(probeSpread(2000, 10_000).at(-1)).toBe(9995); // more than fit at 50/s: squeezed into the window
    expect(probeSpread(0, 1000)).toEqual([]);
    const w = watched([[200, 200]]);
    const watch = watchCall({ livenessMs: 30_000, maxAgeMs: 0 }, w);
    watch.probeNow(500);
    await vi.advanceTimersByTimeAsync(499);
    expect(w.probes).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(w.probes).toBe(1);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(w.probes).toBe(2); // the next one follows its own, 30 s later
    watch.stop();
  });

  it('a refresh without Session-Expires ends the session timer: nothing expires', async () => {
    const w = watched([[200, 200]]);
    const watch = watchCall({ livenessMs: 0, maxAgeMs: 0 }, w, 90);
    watch.refreshed(undefined);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(w.reaped).toEqual([]);
  });
});
