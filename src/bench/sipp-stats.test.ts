import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { quantile } from './measure.js';
import { setupTimesUs, sippStats } from './sipp-stats.js';

const dir = mkdtempSync(join(tmpdir(), 'sipcase-bench-'));

describe('reading SIPp results', () => {
  it('set-up times come from gettimeofday pairs, across a second boundary, sorted', () => {
    const log = join(dir, 'log');
    writeFileSync(log, 'setup 100.000000 999900.000000 101.000000 400.000000\nsetup 100 10 100 1510\nnoise\n');
    expect(setupTimesUs(log)).toEqual([500, 1500]);
  });

  it('statistics are the last line of the trace_stat file, by column', () => {
    const csv = join(dir, 'stat.csv');
    writeFileSync(csv, 'StartTime;SuccessfulCall(C);FailedCall(C);Retransmissions(C);\n1;10;0;0;\n2;300;1;4;\n');
    expect(sippStats(csv)).toMatchObject({ 'SuccessfulCall(C)': 300, 'FailedCall(C)': 1, 'Retransmissions(C)': 4 });
  });

  it('quantiles pick the nearest rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([quantile(xs, 0.5), quantile(xs, 0.99), quantile([], 0.5)]).toEqual([50, 99, Number.NaN]);
  });
});
