/**
 * Counters and histograms whose series are plain numbers: the request path adds to a field, and the registry reads
 * them when it is scraped. prom-client's own metrics hash and validate their labels on every call (~2.5 µs each).
 */

/** What a prom-client registry reads of a metric (`get()`), in prom-client's shape. */
interface MetricSnapshot {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: Array<{ labels: Record<string, string | number>; value: number; metricName?: string }>;
  aggregator: 'sum';
}

/** One counter series: add to `value`. */
export interface CounterSeries {
  readonly labels: Readonly<Record<string, string>>;
  value: number;
}

abstract class Family<S extends { labels: Readonly<Record<string, string>> }> {
  private readonly series = new Map<string, S>();

  constructor(readonly name: string, readonly help: string, private readonly labelNames: readonly string[]) {}

  /** The series of these label values (in `labelNames` order), created on first use and kept. */
  child(...values: string[]): S {
    const key = values.join('\0');
    let s = this.series.get(key);
    if (!s) {
      const labels: Record<string, string> = {};
      this.labelNames.forEach((name, i) => (labels[name] = values[i]));
      s = this.create(labels);
      this.series.set(key, s);
    }
    return s;
  }

  /** What the registry resets (`resetMetrics()`): every series back to zero, kept, since the request path holds them. */
  reset(): void {
    for (const s of this.series.values()) this.zero(s);
  }

  protected all(): IterableIterator<S> {
    return this.series.values();
  }

  protected abstract create(labels: Record<string, string>): S;
  protected abstract zero(series: S): void;
}

export class CounterFamily extends Family<CounterSeries> {
  readonly type = 'counter';

  protected create(labels: Record<string, string>): CounterSeries {
    return { labels, value: 0 };
  }

  protected zero(series: CounterSeries): void {
    series.value = 0;
  }

  get(): MetricSnapshot {
    const values = [];
    for (const s of this.all()) values.push({ labels: { ...s.labels }, value: s.value });
    return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' };
  }
}

/** One histogram series: call `observe`. Counts per bucket (not cumulative) until scraped. */
export class HistogramSeries {
  sum = 0;
  count = 0;
  readonly counts: number[];

  constructor(readonly labels: Readonly<Record<string, string>>, private readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(v: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && v > bounds[i]) i++;
    this.counts[i]++;
    this.sum += v;
    this.count++;
  }
}

export class HistogramFamily extends Family<HistogramSeries> {
  readonly type = 'histogram';

  constructor(name: string, help: string, labelNames: readonly string[], private readonly bounds: readonly number[]) {
    super(name, help, labelNames);
  }

  protected create(labels: Record<string, string>): HistogramSeries {
    return new HistogramSeries(labels, this.bounds);
  }

  protected zero(series: HistogramSeries): void {
    series.counts.fill(0);
    series.sum = 0;
    series.count = 0;
  }

  get(): MetricSnapshot {
    const values: MetricSnapshot['values'] = [];
    const bucket = `${this.name}_bucket`;
    for (const s of this.all()) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += s.counts[i];
        values.push({ labels: { ...s.labels, le }, value: cumulative, metricName: bucket });
      });
      values.push({ labels: { ...s.labels, le: '+Inf' }, value: s.count, metricName: bucket });
      values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...s.labels }, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' };
  }
}
