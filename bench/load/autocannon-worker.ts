// Closed-loop load with autocannon, in its own process: N connections, no pipelining, each request a
// different (path, Authorization) pair taken in turn from the list it is given.
import autocannon from 'autocannon';
import { serveWorker } from '../common.ts';

export interface AutocannonRequest {
  url: string;
  paths: string[];
  authorizations: string[];
  connections: number;
  durationSeconds: number;
}

export interface AutocannonResult {
  rps: number;
  requests: number;
  durationSeconds: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  bytesPerResponse: number;
  loadGeneratorCpuPercent: number;
}

serveWorker<AutocannonRequest, AutocannonResult>(async (req, markStarted) => {
  let next = Math.floor(Math.random() * req.paths.length);
  const cpuBefore = process.cpuUsage();
  markStarted();
  const started = performance.now();
  const result = await autocannon({
    url: req.url,
    connections: req.connections,
    pipelining: 1,
    duration: req.durationSeconds,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => {
          const k = next;
          next = (next + 1) % req.paths.length;
          return { ...request, path: req.paths[k]!, headers: { ...request.headers, authorization: req.authorizations[k]! } };
        },
      },
    ],
  });
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = performance.now() - started;
  const responses = result['2xx'] + result.non2xx;
  return {
    rps: result.requests.average,
    requests: responses,
    durationSeconds: result.duration,
    latencyMs: { mean: result.latency.mean, p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    bytesPerResponse: responses > 0 ? result.throughput.total / responses : 0,
    loadGeneratorCpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
  };
});
