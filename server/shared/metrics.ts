// Prometheus text exposition of what operators watch: requests, outbox depth, deliveries by channel and status.

type Labels = Record<string, string>;

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;
}

export interface Gauge {
  name: string;
  help: string;
  /** read when scraped (through a store port: may be async) */
  collect: () => { labels: Labels; value: number }[] | Promise<{ labels: Labels; value: number }[]>;
}

export function createMetrics() {
  const counters = new Map<string, { help: string; values: Map<string, { labels: Labels; value: number }> }>();
  const gauges: Gauge[] = [];
  return {
    count(name: string, help: string, labels: Labels, by = 1): void {
      let counter = counters.get(name);
      if (!counter) counters.set(name, (counter = { help, values: new Map() }));
      const key = labelText(labels);
      const entry = counter.values.get(key);
      if (entry) entry.value += by;
      else counter.values.set(key, { labels, value: by });
    },
    gauge(gauge: Gauge): void {
      gauges.push(gauge);
    },
    async render(): Promise<string> {
      const lines: string[] = [];
      for (const [name, counter] of counters) {
        lines.push(`# HELP ${name} ${counter.help}`, `# TYPE ${name} counter`);
        for (const { labels, value } of counter.values.values()) lines.push(`${name}${labelText(labels)} ${value}`);
      }
      for (const gauge of gauges) {
        lines.push(`# HELP ${gauge.name} ${gauge.help}`, `# TYPE ${gauge.name} gauge`);
        for (const { labels, value } of await gauge.collect()) lines.push(`${gauge.name}${labelText(labels)} ${value}`);
      }
      return lines.join('\n') + '\n';
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
