// Posts step-event batches to POST /api/v1/sync/events from its own process, as the marketing system would:
// back to back (`intervalMs` 0: each batch after the previous answer) or open loop at a fixed schedule (batch i
// at t0 + i·intervalMs, whatever earlier ones are doing).
import http from 'node:http';
import { percentile, serveWorker } from '../common.ts';

export interface SyncEventsRequest {
  url: string;
  token: string;
  batches: unknown[][];
  intervalMs: number;
  maxSockets: number;
}

export interface SyncEventsResult {
  batches: number;
  accepted: number;
  non200: number;
  errors: number;
  durationMs: number;
  /** how late batches left against their schedule (open loop only) */
  dispatchLagMs: { p99: number; max: number };
  /** request → response of each batch */
  responseMs: { p50: number; p99: number; max: number };
}

serveWorker<SyncEventsRequest, SyncEventsResult>(async (req, started) => {
  const { hostname, port } = new URL(req.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: req.maxSockets });
  let accepted = 0;
  let non200 = 0;
  let errors = 0;
  const lags: number[] = [];
  const responses: number[] = [];

  const post = (events: unknown[]) =>
    new Promise<void>((resolve) => {
      const sentAt = performance.now();
      const body = JSON.stringify({ events });
      const request = http.request(
        {
          agent,
          host: hostname,
          port: Number(port),
          method: 'POST',
          path: '/api/v1/sync/events',
          headers: { authorization: `Bearer ${req.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            responses.push(performance.now() - sentAt);
            if (response.statusCode !== 200) non200++;
            else accepted += (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { accepted: number }).accepted;
            resolve();
          });
        },
      );
      request.on('error', () => {
        errors++;
        resolve();
      });
      request.end(body);
    });

  started();
  const t0 = performance.now();
  if (req.intervalMs <= 0) {
    for (const batch of req.batches) await post(batch);
  } else {
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < req.batches.length; i++) {
      const due = t0 + i * req.intervalMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      lags.push(performance.now() - due);
      inFlight.push(post(req.batches[i]!));
    }
    await Promise.all(inFlight);
  }
  const durationMs = performance.now() - t0;
  agent.destroy();
  const sortedLags = Float64Array.from(lags).sort();
  const sortedResponses = Float64Array.from(responses).sort();
  return {
    batches: req.batches.length,
    accepted,
    non200,
    errors,
    durationMs,
    dispatchLagMs: { p99: percentile(sortedLags, 99), max: sortedLags[sortedLags.length - 1] ?? 0 },
    responseMs: {
      p50: percentile(sortedResponses, 50),
      p99: percentile(sortedResponses, 99),
      max: sortedResponses[sortedResponses.length - 1] ?? 0,
    },
  };
});
