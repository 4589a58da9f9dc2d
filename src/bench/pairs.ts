/**
 * The interleaved-pairs figure: a run of the baseline and a run of sipcase back to back at one rate
 * are a pair, and what is compared is each pair's ratio, not two pooled means. Drift in the box's
 * speed (this VM's varies by a third over minutes) moves both runs of a pair alike and cancels in
 * its ratio; the median over the pairs, with its spread, is the figure reported.
 */
import { quantile } from './measure.js';

/** What a pair needs of one run. */
export interface PairRun {
  readonly target: string;
  readonly rate: number;
  readonly repeat: number;
  readonly ok: number;
  readonly nodeCpuS: number;
  readonly p99Ms: number;
}

/** A spread of values: the median, and the lowest and highest. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface PairFigures {
  readonly rate: number;
  readonly pairs: number;
  /** sipcase's node CPU a completed call over the baseline's, pair by pair. */
  readonly cpuRatio: Spread;
  /** sipcase's INVITE->200 p99 minus the baseline's, ms, pair by pair. */
  readonly addedP99Ms: Spread;
  /** sipcase's p99 over the baseline's, pair by pair. */
  readonly p99Ratio: Spread;
  readonly baselineP99Ms: Spread;
  readonly sipcaseP99Ms: Spread;
}

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  const median = n % 2 === 1 ? (sorted[(n - 1) / 2] as number) : ((sorted[n / 2 - 1] as number) + (sorted[n / 2] as number)) / 2;
  return { median, min: sorted[0] as number, max: quantile(sorted, 1) };
}

/** The pairs at one rate: runs of the same repeat, one of each target; undefined without any. */
export function pairFigures(runs: readonly PairRun[], rate: number): PairFigures | undefined {
  const at = (target: string) => new Map(runs.filter((r) => r.rate === rate && r.target === target && r.ok > 0).map((r) => [r.repeat, r]));
  const baseline = at('baseline');
  const sipcase = at('sipcase');
  const pairs = [...baseline].flatMap(([repeat, b]) => {
    const s = sipcase.get(repeat);
    return s === undefined ? [] : [{ b, s }];
  });
  if (pairs.length === 0) return undefined;
  const perCall = (r: PairRun) => r.nodeCpuS / r.ok;
  return {
    rate,
    pairs: pairs.length,
    cpuRatio: spread(pairs.map(({ b, s }) => perCall(s) / perCall(b))),
    addedP99Ms: spread(pairs.map(({ b, s }) => s.p99Ms - b.p99Ms)),
    p99Ratio: spread(pairs.map(({ b, s }) => s.p99Ms / b.p99Ms)),
    baselineP99Ms: spread(pairs.map(({ b }) => b.p99Ms)),
    sipcaseP99Ms: spread(pairs.map(({ s }) => s.p99Ms)),
  };
}

const f2 = (v: number) => v.toFixed(2);
const show = (s: Spread, unit = '') => `${f2(s.median)}${unit} (${f2(s.min)} to ${f2(s.max)})`;

/** One line for a rate's pairs, as the benchmark prints it. */
export function pairLine(p: PairFigures): string {
  return `pairs at ${p.rate} cps (${p.pairs}): node CPU a call ratio ${show(p.cpuRatio)}; p99 baseline ${show(p.baselineP99Ms, ' ms')}, sipcase ${show(p.sipcaseP99Ms, ' ms')}, added ${show(p.addedP99Ms, ' ms')}, ratio ${show(p.p99Ratio)}`;
}
