// Read path: GET /api/v1/progress/:applicationNo with a view token, on a 1M-application database, against a
// bare route in the same server that returns a constant ProgressView of the same size through the same
// response schema. Closed-loop A/B/A with autocannon (max rps), then a fixed-rate open-loop run at ~70% of
// the real route's max for a coordinated-omission-corrected p99.
//
//   npm run bench -- query [--applications 1000000] [--duration 10] [--connections 32] [--rounds 3]
//   npm run bench -- query --profile real|baseline   (one profiled run instead: where the server's time goes)
//   npm run bench -- query --rate 2000,4000           (fixed-rate runs only, at these rates)
//   npm run bench -- query --db postgres [--postgres-url URL]
//       the same on PostgreSQL (BENCH_POSTGRES_URL, --postgres-url or a throwaway cluster) holding the same generated
//       rows, after the closed loop on SQLite for its ratio beside; also counts the database round trips of one read
import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import type { FastifyPluginAsync } from 'fastify';
import { ApplicationReply } from '../server/schemas/progress.ts';
import { ApplicationParams } from '../server/schemas/sync.ts';
import { createSignedTokens } from '../server/shared/signed-tokens.ts';
import { VIEW_TOKEN_TTL_MS, type ViewClaims } from '../server/customers/customer-access.ts';
import type { ProgressView } from '../server/domain/progress-view.ts';
import {
  BENCH_NOW,
  BENCH_SECRET,
  median,
  numberFlag,
  inclusiveShare,
  machineCpuPercentSince,
  machineTicks,
  printTable,
  profiled,
  resultsDir,
  runWorker,
  summarizeProfile,
  verdict,
  writeResult,
} from './common.ts';
import { accountOf, applicationNoOf, ensureDatabase, mulberry32 } from './generate-db.ts';
import type { AutocannonRequest, AutocannonResult } from './load/autocannon-worker.ts';
import type { OpenLoopRequest, OpenLoopResult } from './load/open-loop-worker.ts';
import { dbFlag, openBenchApp, type BenchTarget } from './bench-app.ts';
import { benchPostgres, copiedDatabase, cpuMeter, createRoundTripCounter, type BenchPostgres } from './postgres.ts';

const TARGET_RATIO = 0.7;
const TARGET_P99_MS = 10;
const TARGET_ROUND_TRIPS = 1;
/** reads counted for the round trips per read (PostgreSQL) */
const ROUND_TRIP_READS = 1000;
const FIXED_RATE_SHARE = 0.7;
const CALIBRATION_SECONDS = 5;
const SAMPLE = 10_000;
/** where the real route's time goes, for `--profile` */
const PROFILE_FUNCTIONS = ['verify', 'claims', 'read', 'customerView', 'view', 'fresh', 'buildProgressView', 'handlerOf', 'formatInstant', 'maskName', 'serialize', 'anonymous'];

const autocannonWorker = path.join(import.meta.dirname, 'load/autocannon-worker.ts');
const openLoopWorker = path.join(import.meta.dirname, 'load/open-loop-worker.ts');

interface Run extends AutocannonResult {
  label: string;
  route: 'baseline' | 'real';
  serverCpuPercent: number;
  /** PostgreSQL's processes (the server and its backends) in percent of one core; NaN on SQLite */
  databaseCpuPercent: number;
  /** PostgreSQL's CPU time per response; NaN on SQLite */
  databaseCpuMicrosPerRequest: number;
  serverEventLoopUtilization: number;
  /** machine CPU not used by the server or the load generator (kernel networking, other processes) */
  otherCpuPercent: number;
  /** the server process's CPU time per response: what a request costs, whatever else runs on the machine */
  serverCpuMicrosPerRequest: number;
}

/** The generated data, the sample of applications with their view tokens, and the PostgreSQL server if any. */
interface Workload {
  applications: number;
  durationSeconds: number;
  connections: number;
  realPaths: string[];
  baselinePaths: string[];
  authorizations: string[];
  picks: number[];
  postgres: BenchPostgres | null;
}

/** The real app on one database with the baseline route registered in the same instance, listening. */
async function openSession(target: BenchTarget, w: Workload) {
  const { app, close } = await openBenchApp(target);
  let constantReply: { application: ProgressView } | null = null;
  const baseline: FastifyPluginAsync = async (instance) => {
    instance.get(
      '/bench/baseline/:applicationNo',
      { schema: { params: ApplicationParams, response: { 200: ApplicationReply } } },
      async () => constantReply,
    );
  };
  await app.register(baseline);
  const roundTrips = createRoundTripCounter();
  app.addHook('onRequest', roundTrips.hook);
  await app.ready();
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = new URL(address);
  const { realPaths, baselinePaths, authorizations, picks, connections, durationSeconds } = w;
  const databaseProcesses = target.db === 'postgres' && w.postgres ? () => w.postgres!.processIds() : () => [];
  const sizes: { length: number; body: string }[] = [];
  try {
    // The real customer flow for a few: account number + query code → view token → read.
    for (const i of picks.slice(0, 20)) {
      const { accountNo, queryCode } = accountOf(i);
      const query = await app.inject({ method: 'POST', url: '/api/v1/progress/query', payload: { accountNo, queryCode } });
      if (query.statusCode !== 200) throw new Error(`query for ${accountNo} answered ${query.statusCode}: ${query.body}`);
      const { viewToken } = query.json() as { viewToken: string };
      const read = await app.inject({ method: 'GET', url: `/api/v1/progress/${applicationNoOf(i)}`, headers: { authorization: `Bearer ${viewToken}` } });
      if (read.statusCode !== 200) throw new Error(`read with a queried token answered ${read.statusCode}: ${read.body}`);
    }
    // The real route's response size over a sample; the baseline returns the sampled view closest to the mean.
    for (let k = 0; k < 1000; k++) {
      const response = await app.inject({ method: 'GET', url: realPaths[k]!, headers: { authorization: authorizations[k]! } });
      if (response.statusCode !== 200) throw new Error(`GET ${realPaths[k]} answered ${response.statusCode}: ${response.body}`);
      sizes.push({ length: response.rawPayload.length, body: response.body });
    }
  } catch (error) {
    await close();
    throw error;
  }
  const meanSize = sizes.reduce((sum, x) => sum + x.length, 0) / sizes.length;
  const closest = sizes.reduce((best, x) => (Math.abs(x.length - meanSize) < Math.abs(best.length - meanSize) ? x : best));
  constantReply = JSON.parse(closest.body) as { application: ProgressView };
  const baselineCheck = await app.inject({ method: 'GET', url: baselinePaths[0]!, headers: { authorization: authorizations[0]! } });
  if (baselineCheck.statusCode !== 200 || baselineCheck.body !== closest.body) {
    await close();
    throw new Error('baseline route does not return the chosen view');
  }
  console.log(
    `${target.db}: responses: real mean ${Math.round(meanSize)} B (min ${Math.min(...sizes.map((x) => x.length))}, max ${Math.max(...sizes.map((x) => x.length))}); ` +
      `baseline constant ${closest.length} B, same ApplicationReply schema`,
  );

  const load = async (route: 'baseline' | 'real', label: string, seconds: number): Promise<Run> => {
    let cpuBefore = process.cpuUsage();
    let eluBefore = performance.eventLoopUtilization();
    let wallBefore = performance.now();
    let ticksBefore = machineTicks();
    let databaseCpu = cpuMeter(databaseProcesses);
    const result = await runWorker<AutocannonRequest, AutocannonResult>(
      autocannonWorker,
      { url: `http://127.0.0.1:${port}`, paths: route === 'real' ? realPaths : baselinePaths, authorizations, connections, durationSeconds: seconds },
      () => {
        cpuBefore = process.cpuUsage();
        eluBefore = performance.eventLoopUtilization();
        wallBefore = performance.now();
        ticksBefore = machineTicks();
        databaseCpu = cpuMeter(databaseProcesses);
      },
    );
    const cpu = process.cpuUsage(cpuBefore);
    const databaseMicros = target.db === 'postgres' ? databaseCpu.since() : NaN;
    const wallMs = performance.now() - wallBefore;
    const elu = performance.eventLoopUtilization(eluBefore);
    const machinePercent = machineCpuPercentSince(ticksBefore);
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${label}: ${result.non2xx} non-2xx and ${result.errors} errors`);
    const serverCpuPercent = ((cpu.user + cpu.system) / 1000 / wallMs) * 100;
    const databaseCpuPercent = (databaseMicros / 1000 / wallMs) * 100;
    return {
      ...result,
      serverCpuMicrosPerRequest: (cpu.user + cpu.system) / result.requests,
      label,
      route,
      serverCpuPercent,
      databaseCpuPercent,
      databaseCpuMicrosPerRequest: databaseMicros / result.requests,
      serverEventLoopUtilization: elu.utilization,
      otherCpuPercent: machinePercent - serverCpuPercent - result.loadGeneratorCpuPercent - (Number.isNaN(databaseCpuPercent) ? 0 : databaseCpuPercent),
    };
  };

  const fixedRun = async (rate: number) => {
    let cpuBefore = process.cpuUsage();
    let wallBefore = performance.now();
    let ticksBefore = machineTicks();
    // what stalls the server's event loop while the latencies are measured: GC pauses and loop delay
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    const gcPauses: number[] = [];
    const gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) gcPauses.push(entry.duration);
    });
    const result = await runWorker<OpenLoopRequest, OpenLoopResult>(
      openLoopWorker,
      { host: '127.0.0.1', port: Number(port), paths: realPaths, authorizations, rate, warmupSeconds: 2, durationSeconds, maxSockets: connections },
      () => {
        cpuBefore = process.cpuUsage();
        wallBefore = performance.now();
        ticksBefore = machineTicks();
        loopDelay.enable();
        gcObserver.observe({ entryTypes: ['gc'] });
      },
    );
    const cpu = process.cpuUsage(cpuBefore);
    loopDelay.disable();
    gcObserver.disconnect();
    const serverCpuPercent = ((cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore)) * 100;
    const otherCpuPercent = machineCpuPercentSince(ticksBefore) - serverCpuPercent - result.loadGeneratorCpuPercent;
    if (result.non200 > 0 || result.errors > 0) throw new Error(`fixed-rate run at ${rate}/s: ${result.non200} non-200 and ${result.errors} errors`);
    return {
      ...result,
      serverCpuPercent,
      otherCpuPercent,
      serverLoopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
      serverGc: { pauses: gcPauses.length, totalMs: gcPauses.reduce((a, x) => a + x, 0), maxMs: Math.max(0, ...gcPauses) },
    };
  };

  /** Closed loop A/B/A/B…: baseline, real, baseline, … */
  const closedLoop = async (rounds: number) => {
    console.log(`\n${target.db}: closed loop, ${connections} connections, no pipelining, ${durationSeconds} s per run (after 3 s warm-up of each)`);
    await load('baseline', 'warm-up A', 3);
    await load('real', 'warm-up B', 3);
    const runs: Run[] = [];
    runs.push(await load('baseline', 'A1', durationSeconds));
    for (let r = 1; r <= rounds; r++) {
      runs.push(await load('real', `B${r}`, durationSeconds));
      runs.push(await load('baseline', `A${r + 1}`, durationSeconds));
    }
    const postgres = target.db === 'postgres';
    printTable(
      ['run', 'route', 'rps', 'mean ms', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'server cpu µs/req', 'server cpu %', 'server ELU', ...(postgres ? ['postgres cpu µs/req', 'postgres cpu %'] : []), 'loadgen cpu %', 'other cpu %'],
      runs.map((x) => [
        x.label, x.route, x.rps, x.latencyMs.mean, x.latencyMs.p50, x.latencyMs.p90, x.latencyMs.p99, x.latencyMs.max,
        x.serverCpuMicrosPerRequest, x.serverCpuPercent, x.serverEventLoopUtilization, ...(postgres ? [x.databaseCpuMicrosPerRequest, x.databaseCpuPercent] : []),
        x.loadGeneratorCpuPercent, x.otherCpuPercent,
      ]),
    );
    const ratios: number[] = [];
    for (let k = 1; k < runs.length; k += 2) ratios.push(runs[k]!.rps / ((runs[k - 1]!.rps + runs[k + 1]!.rps) / 2));
    const baselineRps = median(runs.filter((x) => x.route === 'baseline').map((x) => x.rps));
    const realRps = median(runs.filter((x) => x.route === 'real').map((x) => x.rps));
    const ratio = median(ratios);
    const cpuOf = (route: 'baseline' | 'real') => median(runs.filter((x) => x.route === route).map((x) => x.serverCpuMicrosPerRequest));
    const cpuRatio = cpuOf('baseline') / cpuOf('real');
    const realDatabaseCpu = median(runs.filter((x) => x.route === 'real').map((x) => x.databaseCpuMicrosPerRequest));
    console.log(`${target.db}: real/baseline per round (vs the mean of the baselines either side): ${ratios.map((x) => x.toFixed(3)).join(', ')}; median ${ratio.toFixed(3)}`);
    console.log(`${target.db}: by server CPU time per request (less sensitive to other load on the machine): baseline/real ${cpuRatio.toFixed(3)}`);
    if (postgres) {
      const withDatabase = cpuOf('baseline') / (cpuOf('real') + realDatabaseCpu);
      console.log(`${target.db}: by CPU time per request, PostgreSQL's own included on the real route's side: ${withDatabase.toFixed(3)}`);
    }
    return { runs, ratios, ratio, baselineRps, realRps, cpuRatio, serverCpuMicrosPerRequest: { baseline: cpuOf('baseline'), real: cpuOf('real') }, databaseCpuMicrosPerRealRequest: realDatabaseCpu };
  };

  /** Database round trips of one read, counted over `reads` reads one after another (PostgreSQL only). */
  const roundTripsPerRead = async (reads: number) => {
    let total = 0;
    for (let k = 0; k < reads; k++) {
      const { result, roundTrips: n } = await roundTrips.count(() => app.inject({ method: 'GET', url: realPaths[k]!, headers: { authorization: authorizations[k]! } }));
      if (result.statusCode !== 200) throw new Error(`GET ${realPaths[k]} answered ${result.statusCode}`);
      total += n;
    }
    return total / reads;
  };

  return { app, port, meanSize, closest, load, fixedRun, closedLoop, roundTripsPerRead, close };
}

type Session = Awaited<ReturnType<typeof openSession>>;

function fixedTable(results: Awaited<ReturnType<Session['fixedRun']>>[]) {
  printTable(
    ['rate', 'achieved', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'p99 uncorr. ms', 'send lag p99 ms', 'loop delay max ms', 'GC max ms', 'server cpu %', 'loadgen cpu %', 'other cpu %'],
    results.map((f) => [
      `${f.rate}/s`, f.achievedRps, f.correctedMs.p50, f.correctedMs.p90, f.correctedMs.p99, f.correctedMs.p999, f.correctedMs.max,
      f.uncorrectedMs.p99, f.dispatchLagMs.p99, f.serverLoopDelayMs.max, f.serverGc.maxMs, f.serverCpuPercent, f.loadGeneratorCpuPercent, f.otherCpuPercent,
    ]),
  );
}

export async function run(argv: string[]): Promise<void> {
  const applications = numberFlag(argv, 'applications', 1_000_000);
  const durationSeconds = numberFlag(argv, 'duration', 10);
  const connections = numberFlag(argv, 'connections', 32);
  const rounds = numberFlag(argv, 'rounds', 3);
  const db = dbFlag(argv);

  const generated = await ensureDatabase({ applications, profile: 'mixed', log: (l) => console.log(l) });
  console.log(
    `database: ${path.relative(process.cwd(), generated.file)} — ${generated.applications.toLocaleString('en-US')} applications, ` +
      `${generated.rows.application_steps?.toLocaleString('en-US')} steps, ${generated.megabytes} MiB (${generated.reused ? 'reused' : `generated in ${generated.seconds.toFixed(1)} s`})`,
  );
  const sqliteTarget: BenchTarget = { db: 'sqlite', file: generated.file };
  let postgres: BenchPostgres | null = null;
  let target: BenchTarget = sqliteTarget;
  let copied;
  if (db === 'postgres') {
    postgres = await benchPostgres(argv);
    console.log(`postgresql: ${postgres.version}, ${postgres.source}`);
    copied = await copiedDatabase(postgres.adminUrl, generated.file, `mixed_${applications}`, generated.schemaVersion, (l) => console.log(l));
    console.log(`postgresql database: ${copied.name} (${copied.reused ? 'reused' : `copied from the SQLite file in ${copied.seconds.toFixed(1)} s`})`);
    target = { db: 'postgres', url: copied.url };
  }

  // ---- 10,000 random applications, each with a view token signed like customer-access issues them
  const rnd = mulberry32(7);
  const tokens = createSignedTokens<ViewClaims>(BENCH_SECRET, 'view');
  const expiresAt = BENCH_NOW + VIEW_TOKEN_TTL_MS;
  const picks = Array.from({ length: SAMPLE }, () => Math.floor(rnd() * applications));
  const applicationNos = picks.map(applicationNoOf);
  const workload: Workload = {
    applications,
    durationSeconds,
    connections,
    picks,
    postgres,
    authorizations: picks.map((i) => `Bearer ${tokens.issue({ a: accountOf(i).accountNo, n: [applicationNoOf(i)] }, expiresAt)}`),
    realPaths: applicationNos.map((no) => `/api/v1/progress/${no}`),
    baselinePaths: applicationNos.map((no) => `/bench/baseline/${no}`),
  };

  try {
    const rateIndex = argv.indexOf('--rate');
    const profileIndex = argv.indexOf('--profile');
    if (rateIndex >= 0 || profileIndex >= 0) {
      const session = await openSession(target, workload);
      try {
        if (rateIndex >= 0) {
          const rates = argv[rateIndex + 1]!.split(',').map(Number);
          console.log(`fixed rate only (open loop, real route, ${db}): ${rates.join(', ')} req/s, 2 s warm-up + ${durationSeconds} s measured`);
          const results = [];
          for (const r of rates) results.push(await session.fixedRun(r));
          fixedTable(results);
        } else {
          const route = argv[profileIndex + 1] === 'baseline' ? 'baseline' : 'real';
          await session.load(route, 'warm-up', 3);
          const { result, profile } = await profiled(() => session.load(route, route, durationSeconds));
          const file = path.join(resultsDir, `query-${route}${db === 'postgres' ? '-postgres' : ''}.cpuprofile`);
          fs.mkdirSync(resultsDir, { recursive: true });
          fs.writeFileSync(file, JSON.stringify(profile));
          console.log(`${route}: ${Math.round(result.rps)} rps, p99 ${result.latencyMs.p99} ms, server ELU ${result.serverEventLoopUtilization.toFixed(2)} (profiling on)`);
          printTable(['function (self time)', 'self %', 'incl %'], summarizeProfile(profile, 40));
          printTable(['function', 'incl %'], inclusiveShare(profile, PROFILE_FUNCTIONS));
          console.log(`profile: ${path.relative(process.cwd(), file)} (open in Chrome DevTools or speedscope)`);
        }
      } finally {
        await session.close();
      }
      return;
    }

    // ---- on PostgreSQL: SQLite's closed loop first, on the same rows, for its ratio beside -------
    let sqliteLoop: Awaited<ReturnType<Session['closedLoop']>> | undefined;
    if (db === 'postgres') {
      const session = await openSession(sqliteTarget, workload);
      try {
        sqliteLoop = await session.closedLoop(rounds);
      } finally {
        await session.close();
      }
    }

    const session = await openSession(target, workload);
    try {
      const roundTrips = db === 'postgres' ? await session.roundTripsPerRead(ROUND_TRIP_READS) : undefined;
      if (roundTrips !== undefined) console.log(`postgres: database round trips per progress read: ${roundTrips.toFixed(2)} (statements sent over ${ROUND_TRIP_READS} reads one after another ÷ ${ROUND_TRIP_READS})`);
      const loop = await session.closedLoop(rounds);
      const { runs, ratio, baselineRps, realRps } = loop;

      // ---- open loop at a fixed rate ------------------------------------------------------------
      // This VM runs at full speed for a while and is then throttled to well under half (see README "Performance"):
      // 70% of a maximum measured before the throttle would overload the machine after it. A short closed-loop run
      // right before measures the maximum the machine sustains now; the lower of the two sets the rate.
      const current = await session.load('real', 'calibration', CALIBRATION_SECONDS);
      const sustained = Math.min(realRps, current.rps);
      const rate = Math.max(50, Math.round((sustained * FIXED_RATE_SHARE) / 50) * 50);
      const lowRate = Math.max(50, Math.round(rate / 2 / 50) * 50);
      console.log(
        `\nfixed rate (open loop, real route, ${db}): ${rate} req/s = ${Math.round(FIXED_RATE_SHARE * 100)}% of the real max ${Math.round(sustained)} (` +
          `median of the closed-loop runs ${Math.round(realRps)}, ${CALIBRATION_SECONDS} s run just before ${Math.round(current.rps)}: the lower), ` +
          `then ${lowRate} req/s; ≤ ${connections} sockets; 2 s warm-up + ${durationSeconds} s measured; latency from each request's scheduled send time`,
      );
      const fixed = await session.fixedRun(rate);
      const fixedLow = await session.fixedRun(lowRate);
      fixedTable([fixed, fixedLow]);
      const busiest = Math.max(...runs.map((x) => x.otherCpuPercent), fixed.otherCpuPercent);
      if (busiest > 30) {
        console.log(
          `WARNING: other work used up to ${Math.round(busiest)}% of a core during these runs (other processes, kernel networking): ` +
            `rps and latencies understate the server; compare "server cpu µs/req", which depends much less on it`,
        );
      }
      if (sqliteLoop) {
        console.log('\nside by side (same generated rows, same sample, same run):');
        printTable(
          ['database', 'baseline rps', 'real rps', 'real/baseline (median)', 'baseline/real by server cpu', 'server cpu µs/req real', 'postgres cpu µs/req real', 'round trips per read'],
          [
            ['sqlite', sqliteLoop.baselineRps, sqliteLoop.realRps, sqliteLoop.ratio, sqliteLoop.cpuRatio, sqliteLoop.serverCpuMicrosPerRequest.real, '—', 0],
            ['postgres', baselineRps, realRps, ratio, loop.cpuRatio, loop.serverCpuMicrosPerRequest.real, loop.databaseCpuMicrosPerRealRequest, roundTrips!],
          ],
        );
      }

      const v = verdict([
        { label: `ratio real/baseline (${db})`, value: ratio, target: TARGET_RATIO },
        { label: `p99 at ${rate} req/s`, value: fixed.correctedMs.p99, target: TARGET_P99_MS, atMost: true, unit: ' ms' },
        ...(roundTrips === undefined ? [] : [{ label: 'round trips per read', value: roundTrips, target: TARGET_ROUND_TRIPS, atMost: true }]),
      ]);
      const file = writeResult(db === 'postgres' ? 'query-postgres' : 'query', {
        parameters: { applications, durationSeconds, connections, rounds, sample: SAMPLE, fixedRateShare: FIXED_RATE_SHARE, db },
        database: generated,
        postgres: postgres && { version: postgres.version, source: postgres.source, database: copied },
        responseBytes: { realMean: session.meanSize, baseline: session.closest.length },
        runs,
        sqlite: sqliteLoop,
        summary: { baselineRps, realRps, ratios: loop.ratios, ratio, cpuRatio: loop.cpuRatio, roundTripsPerRead: roundTrips, sqliteRatio: sqliteLoop?.ratio, calibrationRps: current.rps, fixedRate: fixed, fixedLowRate: fixedLow, busiestOtherCpuPercent: busiest },
        targets: { ratio: TARGET_RATIO, p99Ms: TARGET_P99_MS, ...(roundTrips === undefined ? {} : { roundTrips: TARGET_ROUND_TRIPS }) },
        pass: v.pass,
      });
      console.log(
        `\n${db}: baseline ${Math.round(baselineRps)} rps, real ${Math.round(realRps)} rps, ratio ${ratio.toFixed(3)}` +
          (sqliteLoop ? ` (sqlite ${sqliteLoop.ratio.toFixed(3)})` : '') +
          (roundTrips === undefined ? '' : `; ${roundTrips.toFixed(2)} round trips per read`) +
          `; p99 ${fixed.correctedMs.p99.toFixed(2)} ms at ${rate} req/s`,
      );
      console.log(`result: ${path.relative(process.cwd(), file)}`);
      console.log(v.line);
      if (!v.pass) process.exitCode = 1;
    } finally {
      await session.close();
    }
  } finally {
    postgres?.stop();
  }
}

