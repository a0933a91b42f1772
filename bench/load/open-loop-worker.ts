// Open-loop load at a fixed rate, in its own process, with coordinated-omission correction: request i is
// scheduled at t0 + i/rate whatever happened to earlier ones, and its latency is (completion − scheduled
// time), so time spent queued behind a slow response (in the agent's socket queue or on the server) counts.
// A late timer only makes latencies look worse, never better.
import http from 'node:http';
import { percentile, serveWorker } from '../common.ts';

export interface OpenLoopRequest {
  host: string;
  port: number;
  paths: string[];
  authorizations: string[];
  rate: number;
  warmupSeconds: number;
  durationSeconds: number;
  maxSockets: number;
}

export interface LatencySummary {
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface OpenLoopResult {
  rate: number;
  scheduled: number;
  measured: number;
  achievedRps: number;
  /** completion − scheduled send time (coordinated-omission corrected) */
  correctedMs: LatencySummary;
  /** completion − actual send time, what a closed-loop tool would report */
  uncorrectedMs: LatencySummary;
  /** how late the generator dispatched requests (actual − scheduled), p99 and max */
  dispatchLagMs: { p99: number; max: number };
  non200: number;
  errors: number;
  loadGeneratorCpuPercent: number;
}

function summarize(values: Float64Array): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    mean: sum / sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

serveWorker<OpenLoopRequest, OpenLoopResult>(
  (req, started) =>
    new Promise((resolve) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: req.maxSockets, noDelay: true });
      const total = Math.round(req.rate * (req.warmupSeconds + req.durationSeconds));
      const firstMeasured = Math.round(req.rate * req.warmupSeconds);
      const interval = 1000 / req.rate;
      const scheduledAt = new Float64Array(total);
      const sentAt = new Float64Array(total);
      const doneAt = new Float64Array(total).fill(NaN);
      let non200 = 0;
      let errors = 0;
      let sent = 0;
      let finished = 0;
      let offset = Math.floor(Math.random() * req.paths.length);
      const cpuBefore = process.cpuUsage();
      started();
      const t0 = performance.now() + 20;

      const finish = () => {
        const cpu = process.cpuUsage(cpuBefore);
        const wallMs = performance.now() - t0;
        const measured = total - firstMeasured;
        const corrected = new Float64Array(measured);
        const uncorrected = new Float64Array(measured);
        const lag = new Float64Array(measured);
        let lastDone = 0;
        let firstScheduled = Infinity;
        for (let i = firstMeasured; i < total; i++) {
          const j = i - firstMeasured;
          // a failed request counts as never answered within the run: its latency is the run's end
          const end = Number.isNaN(doneAt[i]!) ? performance.now() : doneAt[i]!;
          corrected[j] = end - scheduledAt[i]!;
          uncorrected[j] = end - sentAt[i]!;
          lag[j] = sentAt[i]! - scheduledAt[i]!;
          lastDone = Math.max(lastDone, end);
          firstScheduled = Math.min(firstScheduled, scheduledAt[i]!);
        }
        const lagSorted = lag.sort();
        agent.destroy();
        resolve({
          rate: req.rate,
          scheduled: total,
          measured,
          achievedRps: measured / ((lastDone - firstScheduled) / 1000),
          correctedMs: summarize(corrected),
          uncorrectedMs: summarize(uncorrected),
          dispatchLagMs: { p99: percentile(lagSorted, 99), max: lagSorted[lagSorted.length - 1] ?? NaN },
          non200,
          errors,
          loadGeneratorCpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
        });
      };

      const fire = (i: number) => {
        const k = offset;
        offset = (offset + 1) % req.paths.length;
        sentAt[i] = performance.now();
        const request = http.request(
          { agent, host: req.host, port: req.port, method: 'GET', path: req.paths[k], headers: { authorization: req.authorizations[k] } },
          (response) => {
            if (response.statusCode !== 200) non200++;
            response.on('data', () => {});
            response.on('end', () => {
              doneAt[i] = performance.now();
              if (++finished === total) finish();
            });
          },
        );
        request.on('error', () => {
          errors++;
          if (++finished === total) finish();
        });
        request.end();
      };

      const pump = () => {
        const now = performance.now();
        while (sent < total && t0 + sent * interval <= now) {
          scheduledAt[sent] = t0 + sent * interval;
          fire(sent);
          sent++;
        }
        if (sent < total) setTimeout(pump, Math.max(0, t0 + sent * interval - performance.now()));
      };
      setTimeout(pump, 20);
    }),
);
