// Closed-loop load with autocannon, in its own process: N connections, no pipelining, each request a
// different (path, Authorization) pair taken in turn from the list it is given. Given several URLs (instances of the
// server), the connections are dealt to them in turn (connection i to URL i mod n), as a load balancer spreading
// connections round-robin does, and the figures are the sums (rps) and the worst (latency percentiles) over them.
import autocannon from 'autocannon';
import { serveWorker } from '../common.ts';

export interface AutocannonRequest {
  url: string;
  /** several servers instead of `url`: the connections are dealt to them in turn */
  urls?: string[];
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
  /** with `urls`: each server's requests per second, in the order given */
  rpsByUrl?: number[];
}

serveWorker<AutocannonRequest, AutocannonResult>(async (req, markStarted) => {
  let next = Math.floor(Math.random() * req.paths.length);
  const urls = req.urls ?? [req.url];
  const cpuBefore = process.cpuUsage();
  markStarted();
  const started = performance.now();
  const results = await Promise.all(
    urls.map((url, u) =>
      autocannon({
        url,
        // connection i goes to URL i mod n
        connections: Math.floor(req.connections / urls.length) + (u < req.connections % urls.length ? 1 : 0),
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
      }),
    ),
  );
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = performance.now() - started;
  const sum = (f: (r: (typeof results)[number]) => number) => results.reduce((total, r) => total + f(r), 0);
  const worst = (f: (r: (typeof results)[number]) => number) => Math.max(...results.map(f));
  const responses = sum((r) => r['2xx'] + r.non2xx);
  return {
    rps: sum((r) => r.requests.average),
    requests: responses,
    durationSeconds: worst((r) => r.duration),
    latencyMs: {
      mean: responses > 0 ? sum((r) => r.latency.mean * (r['2xx'] + r.non2xx)) / responses : 0,
      p50: worst((r) => r.latency.p50),
      p90: worst((r) => r.latency.p90),
      p99: worst((r) => r.latency.p99),
      max: worst((r) => r.latency.max),
    },
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    bytesPerResponse: responses > 0 ? sum((r) => r.throughput.total) / responses : 0,
    loadGeneratorCpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
    ...(req.urls ? { rpsByUrl: results.map((r) => r.requests.average) } : {}),
  };
});
