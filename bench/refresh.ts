// The plan refresh job over many out-of-date plans: the generated applications (generate-db, mixed profile, every plan
// made on 2026-11-24) read a day later, when every active one's plan is out of date. One run of the job walks them all
// in its chunk transactions; the longest event-loop block during the run comes from perf_hooks.monitorEventLoopDelay
// (1 ms resolution) and from a 1 ms timer's own lateness. Those are wall-clock figures: on a machine busier than its
// cores they also count the time the process was not scheduled at all, so the process's CPU time from one chunk to
// the next (its read, its transaction, the yield) is measured too; the verdict is on the larger of the chunk's CPU
// time and, on a machine not overloaded (load average below the cores), the wall-clock stall. The baseline, in the
// same run: the same plans computed in memory (the read path: facts read, plan computed, nothing written), in one
// synchronous loop.
//
//   npm run bench -- refresh [--applications 20000] [--chunk-ms 10] [--no-autocheckpoint]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildApp } from '../server/app.ts';
import { currentPlan } from '../server/applications/planning.ts';
import type { RefreshChunk } from '../server/applications/replanning.ts';
import { openDatabase } from '../db/client.ts';
import { ManualClock } from '../server/shared/clock.ts';
import { BENCH_NOW, benchConfig, booleanFlag, formatNumber, numberFlag, printTable, resultsDir, verdict, writeResult } from './common.ts';
import { ensureDatabase } from './generate-db.ts';

const TARGET_STALL_MS = 50;
const DAY_MS = 86_400_000;

export async function run(argv: string[]): Promise<void> {
  const applications = numberFlag(argv, 'applications', 20_000);
  const generated = await ensureDatabase({ applications, profile: 'mixed' });
  console.log(`database: ${path.basename(generated.file)} (${generated.reused ? 'reused' : `generated in ${generated.seconds.toFixed(0)} s`}, ${generated.megabytes} MiB)`);
  const copy = path.join(resultsDir, `refresh-run-${process.pid}.db`);
  fs.copyFileSync(generated.file, copy);
  const database = openDatabase(copy);
  // experiment: no automatic checkpoints on the app's connection, to see the stall without them
  if (booleanFlag(argv, 'no-autocheckpoint')) database.sqlite.pragma('wal_autocheckpoint = 0');
  // Wednesday 10:00, the day after every plan was made
  const clock = new ManualClock(BENCH_NOW + DAY_MS);
  const chunks: { chunk: RefreshChunk; ms: number; cpuMs: number }[] = [];
  let chunkStarted = performance.now();
  let cpuStarted = process.cpuUsage();
  const app = await buildApp({
    config: benchConfig(copy),
    database,
    clock,
    logger: false,
    startDispatcher: false,
    startSweeper: false,
    planRefresh: {
      runMs: Infinity,
      ...(argv.includes('--chunk-ms') ? { chunkMs: Number(argv[argv.indexOf('--chunk-ms') + 1]) } : {}),
      onChunk: (chunk) => {
        const now = performance.now();
        const cpu = process.cpuUsage(cpuStarted);
        chunks.push({ chunk, ms: now - chunkStarted, cpuMs: (cpu.user + cpu.system) / 1000 });
        chunkStarted = now;
        cpuStarted = process.cpuUsage();
      },
    },
  });
  await app.ready();
  console.log(`load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  try {
    const ctx = app.context;
    const stale = database.sqlite.prepare("SELECT application_no FROM applications WHERE status = 'active' ORDER BY application_no").pluck().all() as string[];
    // baseline: the same plans in memory, as a read computes them
    const b0 = performance.now();
    for (const applicationNo of stale) {
      const application = (await app.stores.applications.application(applicationNo))!;
      await currentPlan(ctx, app.stores.applications, application, await app.stores.applications.steps(applicationNo), clock.now());
    }
    const baselineMs = performance.now() - b0;

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
    chunkStarted = t0;
    cpuStarted = process.cpuUsage();
    const result = await app.applications.planRefresh.run();
    const refreshMs = performance.now() - t0;
    await new Promise((resolve) => setTimeout(resolve, 5));
    histogram.disable();
    clearInterval(ticker);
    if (!result.finished || result.refreshed !== stale.length) throw new Error(`refreshed ${result.refreshed} of ${stale.length} (finished: ${result.finished})`);
    const left = database.sqlite.prepare("SELECT count(*) FROM applications WHERE status = 'active' AND planned_on < '2026-11-25'").pluck().get() as number;
    if (left !== 0) throw new Error(`${left} plans still out of date after the run`);
    const working = chunks.filter((c) => c.chunk.refreshed > 0);
    const longestChunkMs = Math.max(...chunks.map((c) => c.ms));
    const longestChunkCpuMs = Math.max(...chunks.map((c) => c.cpuMs));
    const overloaded = os.loadavg()[0]! >= os.availableParallelism();
    const stallMs = histogram.max / 1e6;
    const notices = database.sqlite.prepare("SELECT count(*) FROM outbox WHERE notice_kind IN ('plan_changed', 'plan_created') AND created_at >= ?").pluck().get(clock.now()) as number;
    printTable(
      ['applications', 'plans refreshed', 'plan notices written', 'in memory ms (baseline)', 'refresh ms', 'refresh/baseline', 'µs per plan', 'chunks', 'longest chunk ms (with its read)', 'longest chunk cpu ms', 'longest stall ms (histogram / timer)'],
      [
        [
          formatNumber(applications),
          formatNumber(result.refreshed),
          formatNumber(notices),
          baselineMs.toFixed(0),
          refreshMs.toFixed(0),
          (refreshMs / baselineMs).toFixed(2),
          ((refreshMs * 1000) / result.refreshed).toFixed(0),
          `${chunks.length} (${working.length} writing)`,
          longestChunkMs.toFixed(1),
          longestChunkCpuMs.toFixed(1),
          `${stallMs.toFixed(1)} / ${timerStall.toFixed(1)}`,
        ],
      ],
    );
    const slowest = [...chunks].sort((a, b) => b.ms - a.ms).slice(0, 5);
    console.log(`slowest chunks (wall ms/cpu ms/scanned/refreshed): ${slowest.map((c) => `${c.ms.toFixed(0)}/${c.cpuMs.toFixed(0)}/${c.chunk.scanned}/${c.chunk.refreshed}`).join(', ')}`);
    console.log(`load average at end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    if (overloaded) console.log(`WARNING: load average ${os.loadavg()[0]!.toFixed(1)} ≥ ${os.availableParallelism()} cores: the wall-clock stall counts time the process waited for a core; the verdict uses the chunks' CPU time`);
    const held = overloaded ? longestChunkCpuMs : Math.max(longestChunkCpuMs, stallMs, timerStall);
    const outcome = verdict([{ label: 'longest event-loop hold', value: Math.round(held * 10) / 10, target: TARGET_STALL_MS, atMost: true, unit: ' ms' }]);
    const file = writeResult('refresh', {
      applications,
      refreshed: result.refreshed,
      notices,
      baselineMs,
      refreshMs,
      chunks: chunks.length,
      longestChunkMs,
      longestChunkCpuMs,
      loadAverage: os.loadavg(),
      stallMs,
      timerStallMs: timerStall,
      pass: outcome.pass,
    });
    console.log(`results: ${path.relative(process.cwd(), file)}`);
    console.log(outcome.line);
    if (!outcome.pass) process.exitCode = 1;
  } finally {
    await app.close();
    database.close();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(copy + suffix, { force: true });
  }
}
