/**
 * Metrics on the path of every relayed message, kept as plain numbers and handed to the prom-client
 * registry as it is scraped. prom-client checks and hashes a label object on every inc() and
 * observe(), a label-bound child too (it only binds the object); a profile of the relay (npm run
 * bench:relay) put 17% of sipcase's own CPU there. The exposition is prom-client's own: the
 * registry writes these as it writes its Counter and Histogram.
 */
import type { Metric, Registry } from 'prom-client';

interface Value {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly metricName: string;
}

/** A counter whose label sets are found by a key the caller builds from the label values. */
export class PlainCounter {
  readonly type = 'counter';
  readonly aggregator = 'sum';
  private readonly children = new Map<string, { readonly labels: Readonly<Record<string, string>>; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  /** `key` stands for `labels` (their values joined): one key, one label set. */
  inc(key: string, labels: Readonly<Record<string, string>>, by = 1): void {
    const child = this.children.get(key);
    if (child === undefined) this.children.set(key, { labels: { ...labels }, value: by });
    else child.value += by;
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: Value[] } {
    const values = [...this.children.values()].map((c) => ({ value: c.value, labels: c.labels, metricName: this.name }));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.children.clear();
  }
}

/** A histogram without labels. */
export class PlainHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    this.counts = bounds.map(() => 0);
    registry.registerMetric(this as unknown as Metric);
  }

  observe(value: number): void {
    this.sum += value;
    this.count += 1;
    const b = this.bounds;
    for (let i = 0; i < b.length; i++) {
      if (value <= (b[i] as number)) {
        (this.counts[i] as number) += 1;
        return;
      }
    }
  }

  /** What the registry writes: cumulative buckets, then +Inf, sum and count (prom-client's shape). */
  get(): { name: string; help: string; type: string; aggregator: string; values: Value[] } {
    let cumulative = 0;
    const values: Value[] = this.bounds.map((le, i) => {
      cumulative += this.counts[i] as number;
      return { value: cumulative, labels: { le }, metricName: `${this.name}_bucket` };
    });
    values.push({ value: this.count, labels: { le: '+Inf' }, metricName: `${this.name}_bucket` });
    values.push({ value: this.sum, labels: {}, metricName: `${this.name}_sum` });
    values.push({ value: this.count, labels: {}, metricName: `${this.name}_count` });
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}
