// The SLA sweep on 1,000,000 active applications, each with one utility step under way whose next alert falls
// somewhere in the next 60 workdays (generate-db `--profile sla`). Per round, on a copy of the database: a catch-up
// sweep to the start of the window (untimed), then the rows owed by the window's end read with a plain indexed SELECT
// (the baseline, median of 5), then one timed sweep at the window's end that raises those alerts, queues their SMS
// (working time: at once) and pushes them to the hub. The longest event-loop stall during the timed sweep comes from
// perf_hooks.monitorEventLoopDelay (1 ms resolution) and from a 1 ms timer's own lateness.
//
//   npm run bench -- sweep [--applications 1000000] [--rounds 5] [--interval 60000] [--windows 60000,600000,3600000]
//   npm run bench -- sweep --profile [--sweeps 300]   (contiguous interval sweeps under the V8 profiler: where the time goes)
//   --chunk-size N / --chunk-ms M: the sweep's row cap and time budget per chunk transaction (experiments)
//   --no-autocheckpoint: wal_autocheckpoint = 0 on the app's connection (experiment: the stall without checkpoints)
//
// The sweep reports each chunk transaction (`onChunk`): how many, the longest (commit included), and how much of the
// sweep was the commits.
//
// The verdict is on the default interval (SLA_SWEEP_INTERVAL_MS = 60 s); longer windows show how the cost grows with
// the rows raised (a sweep after an outage, or many alert times falling on one instant).
import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildApp } from '../server/app.ts';
import { openDatabase } from '../db/client.ts';
import os from 'node:os';
import { ManualClock } from '../server/shared/clock.ts';
import type { SlaSweepChunk } from '../server/time-limits/sla.ts';
import {
  BENCH_NOW,
  benchConfig,
  booleanFlag,
  formatNumber,
  median,
  numberFlag,
  printTable,
  profiled,
  resultsDir,
  summarizeProfile,
  verdict,
  writeResult,
  type CpuProfile,
} from './common.ts';
import { ensureDatabase } from './generate-db.ts';

const TARGET_SWEEP_MS = 200;
const TARGET_RATIO = 3;
const TARGET_STALL_MS = 50;

function listFlag(argv: string[], name: string, fallback: number[]): number[] {
  const i = argv.indexOf(`--${name}`);
  return i < 0 ? fallback : argv[i + 1]!.split(',').map(Number);
}

export async function run(argv: string[]): Promise<void> {
  const applications = numberFlag(argv, 'applications', 1_000_000);
  const rounds = numberFlag(argv, 'rounds', 5);
  const interval = numberFlag(argv, 'interval', 60_000);
  const windows = [...new Set([interval, ...listFlag(argv, 'windows', [interval, 600_000, 3_600_000])])];
  const generated = await ensureDatabase({ applications, profile: 'sla' });
  console.log(`database: ${path.basename(generated.file)} (${generated.reused ? 'reused' : `generated in ${generated.seconds.toFixed(0)} s`}, ${generated.megabytes} MiB)`);
  const copy = path.join(resultsDir, `sweep-run-${process.pid}.db`);
  fs.copyFileSync(generated.file, copy);
  const database = openDatabase(copy);
  // experiment: no automatic checkpoints on the app's connection (the WAL grows for the run), to see the stall without them
  if (booleanFlag(argv, 'no-autocheckpoint')) database.sqlite.pragma('wal_autocheckpoint = 0');
  const clock = new ManualClock(BENCH_NOW);
  // the chunk transactions of the timed sweep (null while untimed sweeps run)
  let chunks: SlaSweepChunk[] | null = null;
  const app = await buildApp({
    config: benchConfig(copy),
    database,
    clock,
    logger: false,
    startDispatcher: false,
    startSweeper: false,
    sla: {
      onChunk: (chunk) => chunks?.push(chunk),
      ...(argv.includes('--chunk-size') ? { chunkSize: numberFlag(argv, 'chunk-size', 0) } : {}),
      ...(argv.includes('--chunk-ms') ? { chunkMs: Number(argv[argv.indexOf('--chunk-ms') + 1]) } : {}),
    },
  });
  await app.ready();
  console.log(`load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (booleanFlag(argv, 'profile')) {
    try {
      await profileSweeps(app, clock, interval, numberFlag(argv, 'sweeps', 300), (c) => (chunks = c));
    } finally {
      await app.close();
      database.close();
      for (const suffix of ['', '-wal', '-shm']) fs.rmSync(copy + suffix, { force: true });
    }
    return;
  }
  // the baseline: the same rows the sweep acts on, every column, through the same partial index
  const plain = database.sqlite.prepare('SELECT * FROM application_steps WHERE alert_at <= ? ORDER BY alert_at');
  const results: {
    window: number;
    round: number;
    rows: number;
    selectMs: number;
    sweepMs: number;
    ratio: number;
    stallMs: number;
    timerStallMs: number;
    chunks: number;
    longestChunkMs: number;
    commitMs: number;
    /** per chunk: rows, work ms, transaction ms */
    chunkLog: number[][];
  }[] = [];
  try {
    // start in working time on a workday (Tuesday 10:00), one hour apart per round so windows never overlap
    let at = BENCH_NOW;
    for (const window of windows) {
      for (let round = 1; round <= rounds; round++) {
        at += 3_600_000;
        clock.set(at - window);
        await app.timeLimits.sla.sweep();
        clock.set(at);
        const selectTimes: number[] = [];
        let rows = 0;
        for (let k = 0; k < 5; k++) {
          const t0 = performance.now();
          rows = plain.all(at).length;
          selectTimes.push(performance.now() - t0);
        }
        const histogram = monitorEventLoopDelay({ resolution: 1 });
        let timerStall = 0;
        let last = performance.now();
        const ticker = setInterval(() => {
          const now = performance.now();
          timerStall = Math.max(timerStall, now - last - 1);
          last = now;
        }, 1);
        histogram.enable();
        const timed: SlaSweepChunk[] = (chunks = []);
        const t0 = performance.now();
        const swept = await app.timeLimits.sla.sweep();
        const sweepMs = performance.now() - t0;
        chunks = null;
        // a one-chunk sweep resolves without the loop turning: let the timers fire, so they see its stretch
        await new Promise((resolve) => setTimeout(resolve, 5));
        histogram.disable();
        clearInterval(ticker);
        if (swept.warnings + swept.overdue !== rows) throw new Error(`sweep raised ${swept.warnings + swept.overdue} alerts for ${rows} owed rows`);
        const selectMs = median(selectTimes);
        results.push({
          window,
          round,
          rows,
          selectMs,
          sweepMs,
          ratio: sweepMs / Math.max(selectMs, 0.001),
          stallMs: histogram.max / 1e6,
          timerStallMs: timerStall,
          chunks: timed.length,
          longestChunkMs: Math.max(...timed.map((c) => c.ms)),
          commitMs: timed.reduce((sum, c) => sum + c.ms - c.workMs, 0),
          chunkLog: timed.map((c) => [c.rows, Math.round(c.workMs * 100) / 100, Math.round(c.ms * 100) / 100]),
        });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  } finally {
    await app.close();
    database.close();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(copy + suffix, { force: true });
  }
  const summary = windows.map((window) => {
    const of = results.filter((r) => r.window === window);
    return {
      window,
      rows: median(of.map((r) => r.rows)),
      selectMs: median(of.map((r) => r.selectMs)),
      sweepMs: median(of.map((r) => r.sweepMs)),
      ratio: median(of.map((r) => r.ratio)),
      stallMs: Math.max(...of.map((r) => r.stallMs)),
      timerStallMs: Math.max(...of.map((r) => r.timerStallMs)),
      chunks: median(of.map((r) => r.chunks)),
      longestChunkMs: Math.max(...of.map((r) => r.longestChunkMs)),
      commitMs: median(of.map((r) => r.commitMs)),
    };
  });
  printTable(
    ['window', 'alerts raised (median)', 'plain SELECT ms', 'sweep ms', 'sweep/SELECT', 'of which commit ms', 'chunks', 'longest chunk ms', 'longest stall ms (histogram / timer)'],
    summary.map((s) => [
      `${s.window / 1000} s`,
      formatNumber(s.rows),
      s.selectMs.toFixed(3),
      s.sweepMs.toFixed(2),
      s.ratio.toFixed(1),
      s.commitMs.toFixed(2),
      String(s.chunks),
      s.longestChunkMs.toFixed(1),
      `${s.stallMs.toFixed(1)} / ${s.timerStallMs.toFixed(1)}`,
    ]),
  );
  console.log(`load average at end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const main = summary.find((s) => s.window === interval)!;
  const result = verdict([
    { label: 'sweep', value: Math.round(main.sweepMs * 100) / 100, target: TARGET_SWEEP_MS, atMost: true, unit: ' ms' },
    { label: 'sweep/SELECT', value: Math.round(main.ratio * 10) / 10, target: TARGET_RATIO, atMost: true },
    { label: 'longest stall', value: Math.round(main.stallMs * 10) / 10, target: TARGET_STALL_MS, atMost: true, unit: ' ms' },
  ]);
  const file = writeResult('sweep', { applications, rounds, interval, loadAverage: os.loadavg(), summary, results, verdict: result.line });
  console.log(`results: ${file}`);
  console.log(result.line);
  if (!result.pass) process.exitCode = 1;
}

type BenchApp = Awaited<ReturnType<typeof buildApp>>;

/**
 * `--profile`: a catch-up sweep to an hour after BENCH_NOW, then `sweeps` contiguous sweeps one interval apart (no
 * catch-up between them) under the V8 profiler. Prints the heaviest functions and the sweep's CPU split by what it
 * does; the commits' wall time comes from the chunk reports, not from the profile.
 */
async function profileSweeps(app: BenchApp, clock: ManualClock, interval: number, sweeps: number, set: (c: SlaSweepChunk[] | null) => void): Promise<void> {
  let at = BENCH_NOW + 3_600_000;
  clock.set(at);
  await app.timeLimits.sla.sweep();
  const timed: SlaSweepChunk[] = [];
  set(timed);
  let raised = 0;
  let notified = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const { profile } = await profiled(async () => {
    for (let i = 0; i < sweeps; i++) {
      at += interval;
      clock.set(at);
      const r = await app.timeLimits.sla.sweep();
      raised += r.warnings + r.overdue + r.applicationOverdue;
      notified += r.notified;
    }
  });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  set(null);
  const per = (x: number) => (x / sweeps).toFixed(2);
  const commitMs = timed.reduce((sum, c) => sum + c.ms - c.workMs, 0);
  console.log(
    `${sweeps} sweeps of ${interval / 1000} s: ${raised} alerts (${notified} texted), ${timed.length} chunk transactions; per sweep: wall ${per(wallMs)} ms ` +
      `(commits ${per(commitMs)} ms), CPU user ${per(cpu.user / 1000)} ms + system ${per(cpu.system / 1000)} ms (profiler on)`,
  );
  const file = path.join(resultsDir, 'sweep.cpuprofile');
  fs.writeFileSync(file, JSON.stringify(profile));
  printTable(['what (CPU samples)', '%'], profileParts(profile).map(([what, pct]) => [what, pct.toFixed(1)]));
  printTable(['function (self time)', 'self %', 'incl %'], summarizeProfile(profile, 30));
  console.log(`profile: ${file}`);
}

/** Each sample put under what the sweep was doing, by the project frame nearest the leaf. */
function profileParts(profile: CpuProfile): [string, number][] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const counts = new Map<string, number>();
  const samples = profile.samples ?? [];
  for (const s of samples) {
    const leaf = byId.get(s)!;
    let ours: string | null = null;
    let rendering = false;
    for (let cur: number | undefined = s; cur !== undefined; cur = parent.get(cur)) {
      const url = byId.get(cur)!.callFrame.url;
      if (url.includes('notice-templates.ts')) rendering = true;
      if (ours === null && !url.includes('node_modules') && /\/(db|server)\//.test(url)) ours = url.replace(/^.*\/(db|server)\//, '$1/');
    }
    const native = leaf.callFrame.url === '' ? leaf.callFrame.functionName : '';
    let what: string;
    if (rendering) what = 'rendering the texts (handlebars, segments)';
    else if (native === 'run' && ours === 'db/client.ts') what = 'BEGIN / COMMIT (WAL writes, checkpoints)';
    else if (native === 'run' && ours === 'db/sqlite/alert-store.ts') what = 'alert insert + step update (SQLite)';
    else if (native === 'run' && ours === 'db/outbox-store.ts') what = 'outbox insert (SQLite)';
    else if (native === 'all' || native === 'get') what = 'reads (SQLite)';
    else if (leaf.callFrame.url.includes('drizzle-orm')) what = 'drizzle: placeholders, value mapping';
    else if (leaf.callFrame.functionName === '(garbage collector)') what = 'garbage collector';
    else if (leaf.callFrame.functionName === '(idle)' || leaf.callFrame.functionName === '(program)') what = '(idle / program)';
    else what = 'other JavaScript';
    counts.set(what, (counts.get(what) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([what, n]) => [what, (n / samples.length) * 100]);
}
