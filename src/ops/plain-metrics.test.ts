import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PlainCounter, PlainHistogram } from './plain-metrics.js';

/** The same observations into prom-client's own metric and into the plain one: the same text out. */
describe('plain metrics are exposed exactly as prom-client exposes its own', () => {
  it('a histogram: cumulative buckets, +Inf, sum and count', async () => {
    const [theirs, ours] = [new Registry(), new Registry()];
    const bounds = [1e-5, 1e-4, 1e-3];
    const h = new Histogram({ name: 'x_seconds', help: 'x', buckets: bounds, registers: [theirs] });
    const p = new PlainHistogram('x_seconds', 'x', bounds, ours);
    expect(await ours.metrics()).toBe(await theirs.metrics()); // zeros before the first observation
    for (const v of [2e-6, 5e-5, 5e-5, 2e-3, 1e-4]) {
      h.observe(v);
      p.observe(v);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('a counter with labels, one sample a label set, in the order they were first seen', async () => {
    const [theirs, ours] = [new Registry(), new Registry()];
    const c = new Counter({ name: 'y_total', help: 'y', labelNames: ['from', 'to'], registers: [theirs] });
    const p = new PlainCounter('y_total', 'y', ours);
    for (const [from, to] of [
      ['kore', 'genesys'],
      ['genesys', 'kore'],
      ['kore', 'genesys'],
    ] as const) {
      c.inc({ from, to });
      p.inc(`${from}\u0000${to}`, { from, to });
    }
    p.inc('a\u0000b', { from: 'a', to: 'b' }, 0);
    c.inc({ from: 'a', to: 'b' }, 0);
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});
