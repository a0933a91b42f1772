// Live fan-out: `subscribers` WebSocket clients (in `workers` child processes, so they never share the server's event
// loop) subscribe on /ws to one application with a customer view token; one sync event that changes the application is
// pushed to all of them as one `progress` frame. Per round: from the sync request, from the hub's publish (the commit)
// and from the sync response until the last subscriber has the frame. Then the server's memory per idle connection,
// measured after GC (heap and RSS deltas over the connections).
//
//   npm run bench -- ws [--subscribers 5000] [--rounds 5] [--workers 1] [--concurrency 200]
//
// Needs one file descriptor per socket in each process: the server holds `subscribers`, each worker its share
// (`ulimit -n` is per process; 5,000 sockets × 2 ends on one machine is fine with ulimit -n ≥ 20,000 for both
// ends' processes and their other files). All times are epoch milliseconds (performance.timeOrigin + now()) taken
// in two processes on one machine.
import { fork, execFileSync, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { buildApp } from '../server/app.ts';
import { openDatabase } from '../db/client.ts';
import { createInProcessHub, type RealtimeHub } from '../server/realtime/hub.ts';
import { BENCH_SYNC_TOKEN, benchClock, benchConfig, median, numberFlag, printTable, sleep, verdict, writeResult } from './common.ts';
import type { WsWorkerReply, WsWorkerRequest } from './load/ws-subscribers-worker.ts';

const TARGET_LAST_MS = 250;
const TARGET_BYTES_PER_CONNECTION = 64 * 1024;
const APPLICATION_NO = 'YX2026-0001';
const ACCOUNT_NO = '5300123456';
const QUERY_CODE = '482913';
const workerFile = path.join(import.meta.dirname, 'load/ws-subscribers-worker.ts');

const epochNow = () => performance.timeOrigin + performance.now();

/** `global.gc` without restarting node with --expose-gc. */
function exposeGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

function openFilesLimit(): number | null {
  try {
    return Number(execFileSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim()) || null;
  } catch {
    return null;
  }
}

interface Worker {
  request(message: WsWorkerRequest): Promise<WsWorkerReply>;
  stop(): void;
}

function startWorker(): Worker {
  const child: ChildProcess = fork(workerFile, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let pending: { resolve: (reply: WsWorkerReply) => void; reject: (error: Error) => void } | null = null;
  child.on('message', (reply: WsWorkerReply) => {
    const waiting = pending;
    pending = null;
    if (!waiting) return;
    if (reply.kind === 'error') waiting.reject(new Error(`ws worker: ${reply.error}`));
    else waiting.resolve(reply);
  });
  child.once('exit', (code) => pending?.reject(new Error(`ws worker exited with ${code}`)));
  return {
    request: (message) =>
      new Promise((resolve, reject) => {
        pending = { resolve, reject };
        child.send(message);
      }),
    stop: () => {
      if (child.connected) child.send({ kind: 'close' } satisfies WsWorkerRequest);
    },
  };
}

/** Steps of hv_dual after design review, one change per round: complete the current step, then start the next. */
const walk = ['construction', 'mid_inspection', 'completion_inspection', 'contract', 'connect'];
function roundEvent(round: number) {
  const step = round % 2 === 0 ? (round === 0 ? 'design_review' : walk[round / 2 - 1]!) : walk[(round - 1) / 2]!;
  const type = round % 2 === 0 ? 'step_completed' : 'step_started';
  const at = new Date(Date.parse('2026-11-24T09:40:00+08:00') + round * 60_000).toISOString();
  return { eventId: `WS-${round}`, applicationNo: APPLICATION_NO, stepCode: step, type, at, handlerId: 'H001' };
}

export async function run(argv: string[]): Promise<void> {
  const subscribers = numberFlag(argv, 'subscribers', 5000);
  const rounds = numberFlag(argv, 'rounds', 5);
  const workerCount = numberFlag(argv, 'workers', 1);
  const concurrency = numberFlag(argv, 'concurrency', 200);
  if (rounds + 1 > walk.length * 2 + 1) throw new Error(`--rounds can be at most ${walk.length * 2}`);

  // Wall times depend on what else the machine runs: say how busy it was.
  console.log(`load average: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.availableParallelism()} cores`);
  const loadAtStart = os.loadavg()[0]!;
  const limit = openFilesLimit();
  const needed = Math.max(subscribers, Math.ceil(subscribers / workerCount)) + 256;
  console.log(`open files limit (ulimit -n): ${limit ?? 'unknown'}; the server process needs about ${needed}`);
  if (limit !== null && limit < needed) throw new Error(`ulimit -n is ${limit}: raise it to at least ${needed} (e.g. ulimit -n 20000) before running`);

  const gc = exposeGc();
  const publishes: { topic: string; startedAt: number; endedAt: number; cpuMs: number; delivered: number; bytes: number }[] = [];
  const inner = createInProcessHub();
  // The app's own hub, timed: its publish is the moment the committed change fans out.
  const hub: RealtimeHub = {
    ...inner,
    publish(topic, message) {
      const startedAt = epochNow();
      const cpuBefore = process.cpuUsage();
      const delivered = inner.publish(topic, message);
      const cpu = process.cpuUsage(cpuBefore);
      publishes.push({ topic, startedAt, endedAt: epochNow(), cpuMs: (cpu.user + cpu.system) / 1000, delivered, bytes: Buffer.byteLength(message) });
      return delivered;
    },
  };
  const database = openDatabase(':memory:');
  const app = await buildApp({ config: benchConfig(':memory:'), database, clock: benchClock(), logger: false, startSweeper: false, hub });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const sync = { authorization: `Bearer ${BENCH_SYNC_TOKEN}` };
  const workers: Worker[] = [];
  try {
    // one hv_dual application in design review
    await app.inject({ method: 'PUT', url: '/api/v1/sync/handlers/H001', headers: sync, payload: { name: '李明', phone: '13912345678', teamId: 'T01', teamName: '业扩一班', role: 'handler' } });
    const put = await app.inject({
      method: 'PUT',
      url: `/api/v1/sync/applications/${APPLICATION_NO}`,
      headers: sync,
      payload: { accountNo: ACCOUNT_NO, customerName: '玉溪某某食品有限公司', processCode: 'hv_dual', capacityKva: 630, address: '红塔区玉兴路 18 号', phone: '13800001111', queryCode: QUERY_CODE, acceptedAt: '2026-11-20T09:00:00+08:00', status: 'active' },
    });
    if (put.statusCode !== 201) throw new Error(`PUT application: ${put.statusCode} ${put.body}`);
    const history = [
      ['accept', 'step_started', '2026-11-20T09:00:00+08:00'],
      ['accept', 'step_completed', '2026-11-20T10:00:00+08:00'],
      ['survey', 'step_started', '2026-11-20T10:30:00+08:00'],
      ['survey', 'step_completed', '2026-11-20T12:00:00+08:00'],
      ['plan_reply', 'step_started', '2026-11-20T14:00:00+08:00'],
      ['plan_reply', 'step_completed', '2026-11-23T16:00:00+08:00'],
      ['design_review', 'step_started', '2026-11-24T09:30:00+08:00'],
    ].map(([stepCode, type, at], i) => ({ eventId: `H-${i}`, applicationNo: APPLICATION_NO, stepCode, type, at, handlerId: 'H001' }));
    await app.inject({ method: 'POST', url: '/api/v1/sync/events', headers: sync, payload: { events: history } });
    const query = await app.inject({ method: 'POST', url: '/api/v1/progress/query', payload: { accountNo: ACCOUNT_NO, queryCode: QUERY_CODE } });
    const viewToken = query.json().viewToken as string;

    for (let i = 0; i < workerCount; i++) workers.push(startWorker());
    await sleep(500);
    gc();
    gc();
    const before = process.memoryUsage();

    const shares = workers.map((_, i) => Math.floor(subscribers / workerCount) + (i < subscribers % workerCount ? 1 : 0));
    const connectStarted = performance.now();
    const connected = await Promise.all(
      workers.map((w, i) => w.request({ kind: 'connect', url: base.replace(/^http/, 'ws') + '/ws', viewToken, count: shares[i]!, concurrency })),
    );
    const connections = connected.reduce((n, r) => n + (r.kind === 'connected' ? r.connected : 0), 0);
    const failed = connected.reduce((n, r) => n + (r.kind === 'connected' ? r.failed : 0), 0);
    console.log(`${connections} subscribers connected in ${((performance.now() - connectStarted) / 1000).toFixed(1)} s (${failed} failed)`);

    // idle: let the upgrade garbage go, then measure
    await sleep(1000);
    gc();
    gc();
    const after = process.memoryUsage();
    const perConnection = {
      rssBytes: (after.rss - before.rss) / connections,
      heapBytes: (after.heapUsed - before.heapUsed) / connections,
      externalBytes: (after.external + after.arrayBuffers - before.external - before.arrayBuffers) / connections,
    };

    const results: { round: number; received: number; frameBytes: number; publishMs: number; publishCpuMs: number; fromRequestMs: number; fromCommitMs: number; fromResponseMs: number; workerCpuMs: number }[] = [];
    for (let round = 0; round <= rounds; round++) {
      await Promise.all(workers.map((w) => w.request({ kind: 'arm' })));
      publishes.length = 0;
      const requestAt = epochNow();
      const response = await fetch(`${base}/api/v1/sync/events`, {
        method: 'POST',
        headers: { ...sync, 'content-type': 'application/json' },
        body: JSON.stringify({ events: [roundEvent(round)] }),
      });
      const body = (await response.json()) as { accepted: number };
      const responseAt = epochNow();
      if (response.status !== 200 || body.accepted !== 1) throw new Error(`round ${round}: sync answered ${response.status} ${JSON.stringify(body)}`);
      const collected = await Promise.all(workers.map((w) => w.request({ kind: 'collect', timeoutMs: 10_000 })));
      let received = 0;
      let lastAt = 0;
      let workerCpuMs = 0;
      for (const c of collected) {
        if (c.kind !== 'collected') continue;
        received += c.received;
        lastAt = Math.max(lastAt, c.lastAt);
        workerCpuMs += c.cpuMs;
      }
      const publish = publishes.find((p) => p.topic.startsWith('application:'));
      if (!publish) throw new Error(`round ${round}: nothing was published`);
      results.push({
        round,
        received,
        frameBytes: publish.bytes,
        publishMs: publish.endedAt - publish.startedAt,
        publishCpuMs: publish.cpuMs,
        fromRequestMs: lastAt - requestAt,
        fromCommitMs: lastAt - publish.startedAt,
        // negative when the last frame arrived before the sync response did
        fromResponseMs: lastAt - responseAt,
        workerCpuMs,
      });
      await sleep(200);
    }
    const measured = results.slice(1); // round 0 warms up
    printTable(
      ['round', 'received', 'frame bytes', 'publish ms', 'publish CPU ms', 'request→last ms', 'commit→last ms', 'response→last ms'],
      results.map((r) => [r.round === 0 ? '0 (warm-up)' : String(r.round), r.received, r.frameBytes, r.publishMs, r.publishCpuMs, r.fromRequestMs, r.fromCommitMs, r.fromResponseMs]),
    );
    const summary = (pick: (r: (typeof measured)[number]) => number) => ({ median: median(measured.map(pick)), max: Math.max(...measured.map(pick)) });
    const fromRequest = summary((r) => r.fromRequestMs);
    const fromCommit = summary((r) => r.fromCommitMs);
    const fromResponse = summary((r) => r.fromResponseMs);
    const publishCpu = summary((r) => r.publishCpuMs);
    console.log('');
    printTable(
      ['', 'median ms', 'max ms'],
      [
        ['sync request → last subscriber', fromRequest.median, fromRequest.max],
        ['commit (publish) → last subscriber', fromCommit.median, fromCommit.max],
        ['sync response → last subscriber', fromResponse.median, fromResponse.max],
        ['server CPU of the fan-out (publish)', publishCpu.median, publishCpu.max],
      ],
    );
    console.log('');
    printTable(
      ['memory per idle connection (server)', 'bytes', 'KiB'],
      [
        ['RSS delta / connections', Math.round(perConnection.rssBytes), perConnection.rssBytes / 1024],
        ['heap used delta / connections', Math.round(perConnection.heapBytes), perConnection.heapBytes / 1024],
        ['external + array buffers delta / connections', Math.round(perConnection.externalBytes), perConnection.externalBytes / 1024],
      ],
    );
    const allReceived = measured.every((r) => r.received === connections) && connections === subscribers;
    const result = verdict([
      { label: 'subscribers reached', value: allReceived ? subscribers : Math.min(...measured.map((r) => r.received)), target: subscribers },
      { label: 'max sync request → last subscriber', value: fromRequest.max, target: TARGET_LAST_MS, atMost: true, unit: ' ms' },
      { label: 'RSS per idle connection', value: perConnection.rssBytes / 1024, target: TARGET_BYTES_PER_CONNECTION / 1024, atMost: true, unit: ' KiB' },
    ]);
    console.log(result.line);
    const file = writeResult('ws', {
      flags: { subscribers, rounds, workers: workerCount, concurrency },
      openFilesLimit: limit,
      loadAverageAtStart: loadAtStart,
      connections,
      failed,
      rounds: results,
      fanOutMs: { fromRequest, fromCommit, fromResponse, publishCpu },
      memoryPerConnection: perConnection,
      targets: { lastSubscriberMs: TARGET_LAST_MS, bytesPerConnection: TARGET_BYTES_PER_CONNECTION },
      pass: result.pass,
    });
    console.log(`results: ${path.relative(process.cwd(), file)}`);
    if (!result.pass) process.exitCode = 1;
  } finally {
    for (const w of workers) w.stop();
    await app.close();
    database.close();
  }
}
