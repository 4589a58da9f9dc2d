import { describe, expect, it } from 'vitest';
import { pairFigures, spread, type PairRun } from './pairs.js';

const run = (target: string, repeat: number, cpuMsPerCall: number, p99Ms: number, rate = 300): PairRun => ({
  target,
  rate,
  repeat,
  ok: 1000,
  nodeCpuS: cpuMsPerCall,
  p99Ms,
});

describe('interleaved pairs', () => {
  it('takes the median of each pair’s ratio, not the ratio of pooled means', () => {
    // The box slows down by half in the third pair: both runs of that pair slow alike.
    const runs = [
      run('baseline', 1, 0.5, 10),
      run('sipcase', 1, 0.55, 11),
      run('baseline', 2, 0.5, 10),
      run('sipcase', 2, 0.6, 14),
      run('baseline', 3, 1.0, 40),
      run('sipcase', 3, 1.05, 42),
    ];
    const p = pairFigures(runs, 300);
    expect(p?.pairs).toBe(3);
    expect(p?.cpuRatio.median).toBeCloseTo(1.1, 6);
    expect(p?.cpuRatio.min).toBeCloseTo(1.05, 6);
    expect(p?.cpuRatio.max).toBeCloseTo(1.2, 6);
    expect(p?.addedP99Ms).toEqual({ median: 2, min: 1, max: 4 });
  });

  it('pairs runs of the same repeat and rate only, and skips runs with no completed call', () => {
    const runs = [run('baseline', 1, 0.5, 10), run('sipcase', 2, 0.6, 12), run('sipcase', 1, 0.6, 12, 600), { ...run('sipcase', 1, 0.6, 12), ok: 0 }];
    expect(pairFigures(runs, 300)).toBeUndefined();
  });

  it('gives the middle of an even count as the mean of the two middle values', () => {
    expect(spread([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4 });
  });
});
