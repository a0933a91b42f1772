// Notice delivery: step events posted to the sync API become step_started SMS that the real twilio SDK sends to a
// fake Twilio API in another process over loopback HTTP. The dispatcher runs at its default concurrency with the
// SMS send rate set out of the way (SMS_SEGMENTS_PER_SECOND=100000: the fake stands for a messaging service).
//
//   npm run bench -- notify [--burst 20000] [--rate 1000] [--duration 10] [--batch 10]
//
// 1. throughput: `burst` events (one per application) in batches of 1000, back to back; notices per second from
//    the first event commit to the last SMS the fake receives;
// 2. latency at a fixed rate: `rate` notices per second for `duration` seconds — events in batches of `batch`, open
//    loop, at the event rate that yields `rate` notices (some events also move the expected date: plan_changed);
//    each notice's time from the commit of its event (stamped by an ingest hook at the end of the transaction) to the
//    fake's receipt.
// Both clocks are Date.now() on one machine, in two processes. BENCH_LOG=1 shows the server's warnings and errors
// (a notice that cannot be rendered is logged and skipped, and the run then stops short of its expected count).
import { fork, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { DEFAULT_DISPATCH_CONCURRENCY } from '../server/notices/dispatcher.ts';
import { openDatabase } from '../db/client.ts';
import {
  BENCH_SECRET,
  BENCH_SYNC_TOKEN,
  BENCH_TIME_ZONE,
  benchClock,
  numberFlag,
  percentile,
  printTable,
  runWorker,
  verdict,
  writeResult,
} from './common.ts';
import { HANDLER_COUNT, applicationNoOf, ensureDatabase, handlerIdOf } from './generate-db.ts';
import type { FakeTwilioWorkerMessage, Receipt } from './load/fake-twilio-worker.ts';
import type { SyncEventsRequest, SyncEventsResult } from './load/sync-events-worker.ts';

const TARGET_NOTICES_PER_SECOND = 1000;
const TARGET_P99_MS = 200;
const WARMUP_EVENTS = 1000;
const BURST_BATCH = 1000;

const fakeTwilioWorker = path.join(import.meta.dirname, 'load/fake-twilio-worker.ts');
const syncEventsWorker = path.join(import.meta.dirname, 'load/sync-events-worker.ts');

interface FakeTwilioProcess {
  url: string;
  accountSid: string;
  authToken: string;
  collect(): Promise<{ receipts: Receipt[]; cpuMs: number }>;
  reset(): void;
  stop(): void;
}

function startFakeTwilioProcess(): Promise<FakeTwilioProcess> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = fork(fakeTwilioWorker, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let pending: ((r: { receipts: Receipt[]; cpuMs: number }) => void) | null = null;
    child.once('error', reject);
    child.on('message', (message: FakeTwilioWorkerMessage) => {
      if (message.kind === 'ready') {
        resolve({
          url: message.url,
          accountSid: message.accountSid,
          authToken: message.authToken,
          collect: () =>
            new Promise((done) => {
              pending = done;
              child.send({ kind: 'collect' });
            }),
          reset: () => child.send({ kind: 'reset' }),
          stop: () => child.disconnect(),
        });
      } else if (pending) {
        const done = pending;
        pending = null;
        done({ receipts: message.receipts, cpuMs: message.cpuMs });
      }
    });
  });
}

function stepEvents(from: number, count: number): { eventId: string; applicationNo: string; stepCode: string; type: string; at: string; handlerId: string }[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return {
      eventId: `NOTIFY-${i}`,
      applicationNo: applicationNoOf(i),
      stepCode: 'accept',
      type: 'step_started',
      at: '2026-11-24T09:00:00+08:00',
      handlerId: handlerIdOf(i % HANDLER_COUNT),
    };
  });
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function summarize(values: number[]) {
  const sorted = Float64Array.from(values).sort();
  const mean = sorted.reduce((s, v) => s + v, 0) / Math.max(1, sorted.length);
  return { mean, p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN };
}

export async function run(argv: string[]): Promise<void> {
  const burst = numberFlag(argv, 'burst', 20_000);
  const rate = numberFlag(argv, 'rate', TARGET_NOTICES_PER_SECOND);
  const durationSeconds = numberFlag(argv, 'duration', 10);
  const batchSize = numberFlag(argv, 'batch', 10);
  // enough applications for the fixed-rate phase even if every event caused a single notice
  const maxFixedEvents = Math.round(rate * durationSeconds);
  const applications = WARMUP_EVENTS + burst + maxFixedEvents;

  // Every application active with every step pending: each event starts a step and causes one step_started SMS.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiedian-bench-notify-'));
  const generated = await ensureDatabase({ applications, profile: 'fresh', file: path.join(dir, 'notify.db'), log: () => {} });
  console.log(`database: ${applications.toLocaleString('en-US')} fresh applications (generated in ${generated.seconds.toFixed(1)} s, temporary)`);

  const fake = await startFakeTwilioProcess();
  const config = loadConfig({
    SYNC_TOKEN: BENCH_SYNC_TOKEN,
    JIEDIAN_SECRET: BENCH_SECRET,
    DATABASE_PATH: generated.file,
    TIMEZONE: BENCH_TIME_ZONE,
    QUIET_HOURS: '',
    PUBLIC_URL: 'https://jiedian.example.cn',
    TWILIO_ACCOUNT_SID: fake.accountSid,
    TWILIO_AUTH_TOKEN: fake.authToken,
    TWILIO_FROM: '+15005550006',
    TWILIO_API_BASE_URL: fake.url,
    SMS_SEGMENTS_PER_SECOND: '100000',
  });
  const database = openDatabase(generated.file);
  const committedAt = new Map<string, number>();
  const app = await buildApp({
    config,
    database,
    clock: benchClock(),
    logger: process.env.BENCH_LOG ? { level: 'warn' } : false,
    ingestHooks: {
      // Stamped at the end of the ingest transaction, just before its COMMIT: a little before the commit itself and
      // before the other after-commit work (live pushes), so the latency measured is, if anything, overstated.
      inTransaction: [
        (changes) => {
          const now = Date.now();
          for (const applicationNo of changes.applications) if (!committedAt.has(applicationNo)) committedAt.set(applicationNo, now);
        },
      ],
    },
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const outboxOf = database.sqlite.prepare('SELECT id, application_no AS applicationNo, notice_kind AS kind FROM outbox');
  const unsent = database.sqlite.prepare("SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')").pluck();

  const post = (batches: unknown[][], intervalMs: number) =>
    runWorker<SyncEventsRequest, SyncEventsResult>(syncEventsWorker, { url: address, token: BENCH_SYNC_TOKEN, batches, intervalMs, maxSockets: 16 });

  /** Waits until the outbox holds nothing unsent, then returns what the fake received since the last reset. */
  const drained = async (expected: number) => {
    const deadline = Date.now() + 120_000;
    while ((unsent.get() as number) > 0) {
      if (Date.now() > deadline) throw new Error(`outbox not drained: ${unsent.get() as number} rows unsent`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const { receipts, cpuMs } = await fake.collect();
    if (receipts.length < expected) {
      const statuses = database.sqlite.prepare('SELECT status, count(*) AS n FROM outbox GROUP BY status').all();
      throw new Error(`the fake received ${receipts.length} SMS, expected ${expected}; outbox: ${JSON.stringify(statuses)}`);
    }
    return { receipts, cpuMs };
  };

  /** Per received SMS: its outbox row and the commit of the event that caused it. */
  const joined = (receipts: Receipt[]) => {
    const rows = new Map((outboxOf.all() as { id: string; applicationNo: string; kind: string }[]).map((r) => [r.id, r]));
    return receipts.map(([id, receivedAt, outcome]) => {
      const row = id === null ? undefined : rows.get(id);
      if (!row || outcome !== 201) throw new Error(`unexpected request at the fake: ${id} (${String(outcome)})`);
      return { id, kind: row.kind, receivedAt, committedAt: committedAt.get(row.applicationNo)! };
    });
  };

  try {
    console.log(`dispatcher: concurrency ${config.dispatchConcurrency} (default ${DEFAULT_DISPATCH_CONCURRENCY}), SMS send rate ${config.sendRates.sms} segments/s`);

    // ---- warm-up ----------------------------------------------------------------------------
    await post(chunk(stepEvents(0, WARMUP_EVENTS), 100), 0);
    await drained(WARMUP_EVENTS);
    fake.reset();

    // ---- 1. throughput -------------------------------------------------------------------------
    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    const burstPosted = await post(chunk(stepEvents(WARMUP_EVENTS, burst), BURST_BATCH), 0);
    const burstReceived = joined((await drained(burst)).receipts);
    const cpu = process.cpuUsage(cpuBefore);
    const serverCpuPercent = ((cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore)) * 100;
    fake.reset();
    const firstCommit = Math.min(...burstReceived.map((r) => r.committedAt));
    const lastReceipt = Math.max(...burstReceived.map((r) => r.receivedAt));
    const throughput = burstReceived.length / ((lastReceipt - firstCommit) / 1000);
    const ingestPerSecond = burst / (burstPosted.durationMs / 1000);
    const kinds = new Map<string, number>();
    for (const r of burstReceived) kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
    const burstCpuPerNoticeUs = (cpu.user + cpu.system) / burstReceived.length;
    const burstKinds = [...kinds].map(([kind, n]) => `${kind} ${n}`).join(', ');

    // ---- 2. latency at a fixed rate --------------------------------------------------------------
    const noticesPerEvent = burstReceived.length / burst;
    const eventRate = rate / noticesPerEvent;
    const fixedEvents = Math.min(maxFixedEvents, Math.round(eventRate * durationSeconds));
    const intervalMs = (batchSize / eventRate) * 1000;
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const fixedCpuBefore = process.cpuUsage();
    const fixedPosted = await post(chunk(stepEvents(WARMUP_EVENTS + burst, fixedEvents), batchSize), intervalMs);
    loopDelay.disable();
    const serverLoopDelayMs = { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 };
    const fixedReceived = joined((await drained(fixedEvents)).receipts);
    const fixedCpu = process.cpuUsage(fixedCpuBefore);
    const fixedCpuPerNoticeUs = (fixedCpu.user + fixedCpu.system) / fixedReceived.length;
    fake.reset();
    const latency = summarize(fixedReceived.map((r) => r.receivedAt - r.committedAt));
    const fixedSpan = (Math.max(...fixedReceived.map((r) => r.receivedAt)) - Math.min(...fixedReceived.map((r) => r.committedAt))) / 1000;

    if (burstPosted.non200 + burstPosted.errors + fixedPosted.non200 + fixedPosted.errors > 0) {
      throw new Error(`sync API failures: ${JSON.stringify({ burstPosted, fixedPosted })}`);
    }
    console.log(`\n1. throughput: ${burst.toLocaleString('en-US')} step events in batches of ${BURST_BATCH}, back to back`);
    printTable(
      ['events', 'SMS received', 'ingest events/s', 'notices/s (first commit → last receipt)', 'server cpu %', 'server cpu µs per notice'],
      [[burst, burstReceived.length, ingestPerSecond, throughput, serverCpuPercent, burstCpuPerNoticeUs]],
    );
    console.log(`   notices: ${burstKinds}`);
    console.log(
      `\n2. fixed rate: ${rate} notices/s for ${durationSeconds} s — ${Math.round(eventRate)} events/s (${noticesPerEvent.toFixed(2)} notices per event) ` +
        `in batches of ${batchSize} every ${intervalMs.toFixed(1)} ms, open loop`,
    );
    printTable(
      ['SMS received', 'achieved notices/s', 'commit→receipt mean ms', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'sync p99 ms', 'server loop delay p99/max ms', 'server cpu µs per notice', 'loadgen lag p99 ms'],
      [[
        fixedReceived.length, fixedReceived.length / fixedSpan, latency.mean, latency.p50, latency.p90, latency.p99, latency.max,
        fixedPosted.responseMs.p99, `${serverLoopDelayMs.p99.toFixed(0)}/${serverLoopDelayMs.max.toFixed(0)}`, fixedCpuPerNoticeUs, fixedPosted.dispatchLagMs.p99,
      ]],
    );
    const result = verdict([
      { label: 'throughput', value: throughput, target: TARGET_NOTICES_PER_SECOND, unit: ' notices/s' },
      { label: `p99 commit→receipt at ${rate}/s`, value: latency.p99, target: TARGET_P99_MS, atMost: true, unit: ' ms' },
    ]);
    console.log(result.line);
    const file = writeResult('notify', {
      parameters: { burst, rate, durationSeconds, batchSize, concurrency: config.dispatchConcurrency, smsSegmentsPerSecond: config.sendRates.sms },
      throughput: { events: burst, received: burstReceived.length, noticesPerSecond: throughput, ingestEventsPerSecond: ingestPerSecond, serverCpuPercent, serverCpuPerNoticeUs: burstCpuPerNoticeUs },
      fixedRate: { rate, eventRate, noticesPerEvent, received: fixedReceived.length, achievedPerSecond: fixedReceived.length / fixedSpan, commitToReceiptMs: latency, serverLoopDelayMs, serverCpuPerNoticeUs: fixedCpuPerNoticeUs, sync: fixedPosted },
      pass: result.pass,
    });
    console.log(`results: ${path.relative(process.cwd(), file)}`);
    if (!result.pass) process.exitCode = 1;
  } finally {
    await app.close();
    database.close();
    fake.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
