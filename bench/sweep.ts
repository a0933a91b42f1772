// The SLA sweep on 1,000,000 active applications, each with one utility step under way whose next alert falls
// somewhere in the next 60 workdays (generate-db `--profile sla`). Per round, on a copy of the database: a catch-up
// sweep to the start of the window (untimed), then the rows owed by the window's end read with a plain indexed SELECT
// (the baseline, median of 5), then one timed sweep at the window's end that raises those alerts, queues their SMS
// (working time: at once) and pushes them to the hub. The longest event-loop stall during the timed sweep comes from
// perf_hooks.monitorEventLoopDelay (1 ms resolution) and from a 1 ms timer's own lateness.
//
//   npm run bench -- sweep [--applications 1000000] [--rounds 5] [--interval 60000] [--windows 60000,600000,3600000]
//
// The verdict is on the default interval (SLA_SWEEP_INTERVAL_MS = 60 s); longer windows show how the cost grows with
// the rows raised (a sweep after an outage, or many alert times falling on one instant).
import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildApp } from '../server/app.ts';
import { openDatabase } from '../db/client.ts';
import { ManualClock } from '../server/services/clock.ts';
import { BENCH_NOW, benchConfig, formatNumber, median, numberFlag, printTable, resultsDir, verdict, writeResult } from './common.ts';
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
  const clock = new ManualClock(BENCH_NOW);
  const app = await buildApp({ config: benchConfig(copy), database, clock, logger: false, startDispatcher: false, startSweeper: false });
  await app.ready();
  // the baseline: the same rows the sweep acts on, every column, through the same partial index
  const plain = database.sqlite.prepare('SELECT * FROM application_steps WHERE alert_at <= ? ORDER BY alert_at');
  const results: { window: number; round: number; rows: number; selectMs: number; sweepMs: number; ratio: number; stallMs: number; timerStallMs: number }[] = [];
  try {
    // start in working time on a workday (Tuesday 10:00), one hour apart per round so windows never overlap
    let at = BENCH_NOW;
    for (const window of windows) {
      for (let round = 1; round <= rounds; round++) {
        at += 3_600_000;
        clock.set(at - window);
        await app.jiedian.sla.sweep();
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
        const t0 = performance.now();
        const swept = await app.jiedian.sla.sweep();
        const sweepMs = performance.now() - t0;
        histogram.disable();
        clearInterval(ticker);
        if (swept.warnings + swept.overdue !== rows) throw new Error(`sweep raised ${swept.warnings + swept.overdue} alerts for ${rows} owed rows`);
        const selectMs = median(selectTimes);
        results.push({ window, round, rows, selectMs, sweepMs, ratio: sweepMs / Math.max(selectMs, 0.001), stallMs: histogram.max / 1e6, timerStallMs: timerStall });
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
    };
  });
  printTable(
    ['window', 'alerts raised (median)', 'plain SELECT ms', 'sweep ms', 'sweep/SELECT', 'longest stall ms (histogram / timer)'],
    summary.map((s) => [`${s.window / 1000} s`, formatNumber(s.rows), s.selectMs.toFixed(3), s.sweepMs.toFixed(2), s.ratio.toFixed(1), `${s.stallMs.toFixed(1)} / ${s.timerStallMs.toFixed(1)}`]),
  );
  const main = summary.find((s) => s.window === interval)!;
  const result = verdict([
    { label: 'sweep', value: Math.round(main.sweepMs * 100) / 100, target: TARGET_SWEEP_MS, atMost: true, unit: ' ms' },
    { label: 'sweep/SELECT', value: Math.round(main.ratio * 10) / 10, target: TARGET_RATIO, atMost: true },
    { label: 'longest stall', value: Math.round(main.stallMs * 10) / 10, target: TARGET_STALL_MS, atMost: true, unit: ' ms' },
  ]);
  const file = writeResult('sweep', { applications, rounds, interval, summary, results, verdict: result.line });
  console.log(`results: ${file}`);
  console.log(result.line);
  if (!result.pass) process.exitCode = 1;
}
