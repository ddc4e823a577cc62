import { VigilEngineError } from '../errors.js';
import { escapeHelp, formatLabels, formatValue, isLabelName, isMetricName } from './exposition.js';

/** Label values by label name; numbers are written as strings. */
export type LabelValues<L extends string> = Readonly<Record<L, string | number>>;

export interface MetricOptions<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

export interface HistogramOptions<L extends string> extends MetricOptions<L> {
  /** Upper bounds (inclusive), increasing; `+Inf` is added. Default: Prometheus' default buckets. */
  buckets?: readonly number[];
}

/** Prometheus' default buckets, in seconds. */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type MetricType = 'counter' | 'gauge' | 'histogram';

/**
 * One metric family: a name, a type, and one series per combination of label
 * values. A series is created on first use and its label text is formatted
 * once; hold on to `labels(...)` on a hot path to skip the lookup.
 */
abstract class Family<L extends string, S> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  abstract readonly type: MetricType;
  readonly #series = new Map<string, { labels: string; series: S }>();

  constructor(options: MetricOptions<L>, reserved: readonly string[] = []) {
    if (!isMetricName(options.name)) {
      throw new VigilEngineError('VIGIL_ERR_ENGINE_CONFIG', ['a metric name matching [a-zA-Z_:][a-zA-Z0-9_:]*', JSON.stringify(options.name)]);
    }
    const labelNames = options.labelNames ?? [];
    for (const label of labelNames) {
      if (!isLabelName(label) || reserved.includes(label)) {
        throw new VigilEngineError('VIGIL_ERR_ENGINE_CONFIG', [`label names of ${options.name} matching [a-zA-Z_][a-zA-Z0-9_]*, not starting with __, not ${reserved.join(', ') || 'reserved'}`, JSON.stringify(label)]);
      }
    }
    if (new Set(labelNames).size !== labelNames.length) {
      throw new VigilEngineError('VIGIL_ERR_ENGINE_CONFIG', [`distinct label names of ${options.name}`, JSON.stringify(labelNames)]);
    }
    this.name = options.name;
    this.help = options.help;
    this.labelNames = labelNames;
  }

  /** The series for these label values (every label name, no others). */
  labels(values: LabelValues<L>): S {
    const strings = this.#values(values);
    const key = strings.join('\u0000');
    let entry = this.#series.get(key);
    if (entry === undefined) {
      const labels = formatLabels(this.labelNames, strings);
      entry = { labels, series: this.create(labels) };
      this.#series.set(key, entry);
    }
    return entry.series;
  }

  /** Drops every series (an info metric whose value changed, for instance). */
  reset(): void {
    this.#series.clear();
  }

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`);
    for (const { series } of this.#series.values()) this.write(series, out);
  }

  protected abstract create(labels: string): S;
  protected abstract write(series: S, out: string[]): void;

  /** The series without labels, for families that have none. */
  protected unlabelled(): S {
    return this.labels({} as LabelValues<L>);
  }

  #values(values: LabelValues<L>): string[] {
    const given = Object.keys(values);
    if (given.length !== this.labelNames.length || this.labelNames.some((name) => !Object.hasOwn(values, name))) {
      throw new VigilEngineError('VIGIL_ERR_ENGINE_CONFIG', [`labels ${JSON.stringify(this.labelNames)} for ${this.name}`, JSON.stringify(given)]);
    }
    return this.labelNames.map((name) => String(values[name]));
  }
}

export interface CounterSeries {
  inc(value?: number): void;
  get(): number;
}

class CounterValue implements CounterSeries {
  value = 0;
  constructor(readonly labels: string) {}

  inc(value = 1): void {
    if (!(value >= 0)) throw new VigilEngineError('VIGIL_ERR_ENGINE_CONFIG', ['a counter increment >= 0', String(value)]);
    this.value += value;
  }

  get(): number {
    return this.value;
  }
}

/** A value that only goes up (until the process restarts). */
export class Counter<L extends string = never> extends Family<L, CounterSeries> {
  readonly type = 'counter';

  constructor(options: MetricOptions<L>) {
    super(options);
    if (this.labelNames.length === 0) this.unlabelled();
  }

  inc(value?: number): void;
  inc(labels: LabelValues<L>, value?: number): void;
  inc(labelsOrValue?: LabelValues<L> | number, value?: number): void {
    if (typeof labelsOrValue === 'object') this.labels(labelsOrValue).inc(value);
    else this.unlabelled().inc(labelsOrValue);
  }

  get(labels: LabelValues<L> = {} as LabelValues<L>): number {
    return this.labels(labels).get();
  }

  protected create(labels: string): CounterSeries {
    return new CounterValue(labels);
  }

  protected write(series: CounterSeries, out: string[]): void {
    const { labels, value } = series as CounterValue;
    out.push(`${this.name}${labels} ${formatValue(value)}`);
  }
}

export interface GaugeSeries {
  set(value: number): void;
  inc(value?: number): void;
  dec(value?: number): void;
  get(): number;
}

class GaugeValue implements GaugeSeries {
  value = 0;
  constructor(readonly labels: string) {}
  set(value: number): void {
    this.value = value;
  }
  inc(value = 1): void {
    this.value += value;
  }
  dec(value = 1): void {
    this.value -= value;
  }
  get(): number {
    return this.value;
  }
}

/** A value that goes up and down. */
export class Gauge<L extends string = never> extends Family<L, GaugeSeries> {
  readonly type = 'gauge';

  constructor(options: MetricOptions<L>) {
    super(options);
    if (this.labelNames.length === 0) this.unlabelled();
  }

  set(value: number): void;
  set(labels: LabelValues<L>, value: number): void;
  set(labelsOrValue: LabelValues<L> | number, value?: number): void {
    if (typeof labelsOrValue === 'object') this.labels(labelsOrValue).set(value ?? 0);
    else this.unlabelled().set(labelsOrValue);
  }

  inc(value?: number): void;
  inc(labels: LabelValues<L>, value?: number): void;
  inc(labelsOrValue?: LabelValues<L> | number, value?: number): void {
    if (typeof labelsOrValue === 'object') this.labels(labelsOrValue).inc(value);
    else this.unlabelled().inc(labelsOrValue);
  }

  dec(value?: number): void;
  dec(labels: LabelValues<L>, value?: number): void;
  dec(labelsOrValue?: LabelValues<L> | number, value?: number): void {
    if (typeof labelsOrValue === 'object') this.labels(labelsOrValue).dec(value);
    else this.unlabelled().dec(labelsOrValue);
  }

  get(labels: LabelValues<L> = {} as LabelValues<L>): number {
    return this.labels(labels).get();
  }

  override reset(): void {
    super.reset();
    if (this.labelNames.length === 0) this.unlabelled();
  }

  protected create(labels: string): GaugeSeries {
    return new GaugeValue(labels);
  }

  protected write(series: GaugeSeries, out: string[]): void {
    const { labels, value } = series as GaugeValue;
    out.push(`${this.name}${labels} ${formatValue(value)}`);
  }
}

export interface HistogramSeries {
  observe(value: number): void;
  /** Starts timing; the returned function observes the elapsed seconds and returns them. */
  startTimer(): () => number;
  /** Count and sum so far. */
  get(): { count: number; sum: number };
}

class HistogramValue implements HistogramSeries {
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  readonly counts: number[];
  sum = 0;
  count = 0;
  /** Label text for `_bucket` lines, `le` included, one per bucket. */
  readonly bucketLabels: string[];

  constructor(
    readonly labels: string,
    readonly bounds: readonly number[],
  ) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
    const inner = labels === '' ? '' : `${labels.slice(1, -1)},`;
    this.bucketLabels = [...bounds.map(formatValue), '+Inf'].map((le) => `{${inner}le="${le}"}`);
  }

  observe(value: number): void {
    let i = 0;
    while (i < this.bounds.length && value > this.bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }

  startTimer(): () => number {
    const start = process.hrtime.bigint();
    return () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      this.observe(seconds);
      return seconds;
    };
  }

  get(): { count: number; sum: number } {
    return { count: this.count, sum: this.sum };
  }
}

/** Observations counted into buckets, with their sum and count. */
export class Histogram<L extends string = never> extends Family<L, HistogramSeries> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];

  constructor(options: HistogramOptions<L>) {
    super(options, ['le']);
    const buckets = options.buckets ?? DEFAULT_BUCKETS;
    const increasing = buckets.every((b, i) => Number.isFinite(b) && (i === 0 || b > buckets[i - 1]!));
    if (buckets.length === 0 || !increasing) {
      throw new VigilEngineError('VIGIL_ERR_ENGINE_CONFIG', [`finite, strictly increasing buckets for ${options.name}`, JSON.stringify(buckets)]);
    }
    this.buckets = [...buckets];
    if (this.labelNames.length === 0) this.unlabelled();
  }

  observe(value: number): void;
  observe(labels: LabelValues<L>, value: number): void;
  observe(labelsOrValue: LabelValues<L> | number, value?: number): void {
    if (typeof labelsOrValue === 'object') this.labels(labelsOrValue).observe(value ?? 0);
    else this.unlabelled().observe(labelsOrValue);
  }

  startTimer(labels: LabelValues<L> = {} as LabelValues<L>): () => number {
    return this.labels(labels).startTimer();
  }

  get(labels: LabelValues<L> = {} as LabelValues<L>): { count: number; sum: number } {
    return this.labels(labels).get();
  }

  protected create(labels: string): HistogramSeries {
    return new HistogramValue(labels, this.buckets);
  }

  protected write(series: HistogramSeries, out: string[]): void {
    const h = series as HistogramValue;
    let cumulative = 0;
    for (let i = 0; i < h.counts.length; i++) {
      cumulative += h.counts[i]!;
      out.push(`${this.name}_bucket${h.bucketLabels[i]} ${cumulative}`);
    }
    out.push(`${this.name}_sum${h.labels} ${formatValue(h.sum)}`, `${this.name}_count${h.labels} ${h.count}`);
  }
}

type AnyFamily = Family<string, unknown>;

/**
 * A set of metrics rendered together. Collectors run before each render, to
 * read values that are cheaper to sample than to track (a queue length, a
 * component's own stats).
 */
export class Registry {
  readonly #families = new Map<string, AnyFamily>();
  readonly #collectors = new Set<() => void>();

  counter<L extends string = never>(options: MetricOptions<L>): Counter<L> {
    return this.#add(new Counter(options));
  }

  gauge<L extends string = never>(options: MetricOptions<L>): Gauge<L> {
    return this.#add(new Gauge(options));
  }

  histogram<L extends string = never>(options: HistogramOptions<L>): Histogram<L> {
    return this.#add(new Histogram(options));
  }

  /** Runs `collect` before every render; returns a function that removes it. */
  addCollector(collect: () => void): () => void {
    this.#collectors.add(collect);
    return () => this.#collectors.delete(collect);
  }

  /** Every metric in the text format (content type PROMETHEUS_CONTENT_TYPE). */
  render(): string {
    for (const collect of this.#collectors) collect();
    const out: string[] = [];
    for (const family of this.#families.values()) family.render(out);
    return out.length === 0 ? '' : `${out.join('\n')}\n`;
  }

  #add<F extends AnyFamily>(family: F): F {
    if (this.#families.has(family.name)) {
      throw new VigilEngineError('VIGIL_ERR_ENGINE_CONFIG', ['each metric name registered once', family.name]);
    }
    this.#families.set(family.name, family);
    return family;
  }
}
