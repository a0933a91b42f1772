// Several instances: progress reads (GET /api/v1/progress/:applicationNo with view tokens, as query.ts sends them)
// against one instance and against two instances of the server (server/main.ts's startServer, each its own
// process) on the same PostgreSQL database, the load spread over both, reported side by side with the machine's
// cores and the CPU each process used (each server, PostgreSQL's processes, the load generator).
//
//   npm run bench -- instances [--applications 200000] [--duration 10] [--connections 32] [--rounds 3] [--postgres-url URL]
//
// Closed loop with autocannon in its own process (load/autocannon-worker.ts); with two instances its connections are
// dealt to them in turn, as a load balancer spreading connections round-robin would. Runs alternate one/two/one/…,
// each two-instance run compared with the mean of the one-instance runs either side. Both instances run throughout
// (the second idles while one is measured), so each run sees the same database and the same background work.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import { createSignedTokens } from '../server/shared/signed-tokens.ts';
import { VIEW_TOKEN_TTL_MS, type ViewClaims } from '../server/customers/customer-access.ts';
import {
  BENCH_NOW,
  BENCH_SECRET,
  BENCH_SYNC_TOKEN,
  BENCH_TIME_ZONE,
  machineCpuPercentSince,
  machineTicks,
  median,
  numberFlag,
  printTable,
  runWorker,
  verdict,
  writeResult,
} from './common.ts';
import { accountOf, applicationNoOf, ensureDatabase, mulberry32 } from './generate-db.ts';
import { benchPostgres, copiedDatabase, cpuMeter, processCpuMicros } from './postgres.ts';
import type { AutocannonRequest, AutocannonResult } from './load/autocannon-worker.ts';

const TARGET_SPEEDUP = 1.6;
/** two servers, the database and the load generator each want a core of their own for two to serve ~2× one */
const CORES_FOR_THE_TARGET = 4;
const SAMPLE = 10_000;

const autocannonWorker = path.join(import.meta.dirname, 'load/autocannon-worker.ts');
const instanceEntry = path.join(import.meta.dirname, 'load/server-instance.ts');

interface Instance {
  name: string;
  child: ChildProcess;
  origin: string;
}

function startInstance(name: string, env: Record<string, string>): Promise<Instance> {
  return new Promise((resolve, reject) => {
    // its log (warnings at start) is left out of the report; a failure to start goes to stderr
    const child = fork(instanceEntry, [], { execArgv: ['--import', 'tsx'], env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.once('message', (message) => {
      const { port } = message as { kind: 'listening'; port: number };
      resolve({ name, child, origin: `http://127.0.0.1:${port}` });
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`instance ${name} exited (${code}) before listening`)));
  });
}

/** SIGTERM through the IPC disconnect (a graceful stop), SIGKILL if it has not ended after 10 s. */
async function stopInstance(instance: Instance): Promise<void> {
  if (instance.child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => instance.child.once('exit', () => resolve()));
  if (instance.child.connected) instance.child.disconnect();
  else instance.child.kill('SIGTERM');
  const timer = setTimeout(() => instance.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

interface Run extends AutocannonResult {
  label: string;
  instances: number;
  /** each server process's CPU in percent of one core, A then B */
  instanceCpuPercent: number[];
  /** CPU time of the loaded servers together per response */
  serverCpuMicrosPerRequest: number;
  databaseCpuPercent: number;
  databaseCpuMicrosPerRequest: number;
  otherCpuPercent: number;
}

export async function run(argv: string[]): Promise<void> {
  const applications = numberFlag(argv, 'applications', 200_000);
  const durationSeconds = numberFlag(argv, 'duration', 10);
  const connections = numberFlag(argv, 'connections', 32);
  const rounds = numberFlag(argv, 'rounds', 3);
  const cores = os.availableParallelism();

  const generated = await ensureDatabase({ applications, profile: 'mixed', log: (l) => console.log(l) });
  console.log(`generated data: ${generated.applications.toLocaleString('en-US')} applications (${generated.reused ? 'reused' : `generated in ${generated.seconds.toFixed(1)} s`})`);
  const postgres = await benchPostgres(argv);
  const instances: Instance[] = [];
  try {
    console.log(`postgresql: ${postgres.version}, ${postgres.source}`);
    const copied = await copiedDatabase(postgres.adminUrl, generated.file, `mixed_${applications}`, generated.schemaVersion, (l) => console.log(l));
    console.log(`postgresql database: ${copied.name} (${copied.reused ? 'reused' : `copied from the SQLite file in ${copied.seconds.toFixed(1)} s`})`);

    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'jiedian-instances-'));
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      SYNC_TOKEN: BENCH_SYNC_TOKEN,
      JIEDIAN_SECRET: BENCH_SECRET,
      TIMEZONE: BENCH_TIME_ZONE,
      QUIET_HOURS: '',
      HOST: '127.0.0.1',
      PORT: '0',
      // request logs off, as a site behind a load balancer that logs them would run it
      LOG_LEVEL: 'warn',
      DATABASE_URL: copied.url,
      // not used with DATABASE_URL; kept out of the worktree in case it were
      DATABASE_PATH: path.join(scratch, 'unused.db'),
    };
    // one after the other: the second finds the migrations applied
    for (const name of ['A', 'B']) instances.push(await startInstance(name, env));
    console.log(`instances: ${instances.map((i) => `${i.name} pid ${i.child.pid} at ${i.origin}`).join(', ')}; DATABASE_URL=${copied.url}`);

    // ---- 10,000 random applications, each with a view token signed like customer-access issues them
    const rnd = mulberry32(7);
    const tokens = createSignedTokens<ViewClaims>(BENCH_SECRET, 'view');
    const expiresAt = BENCH_NOW + VIEW_TOKEN_TTL_MS;
    const picks = Array.from({ length: SAMPLE }, () => Math.floor(rnd() * applications));
    const paths = picks.map((i) => `/api/v1/progress/${applicationNoOf(i)}`);
    const authorizations = picks.map((i) => `Bearer ${tokens.issue({ a: accountOf(i).accountNo, n: [applicationNoOf(i)] }, expiresAt)}`);
    // a read answers the same on both instances
    for (let k = 0; k < 20; k++) {
      const bodies = await Promise.all(
        instances.map(async (instance) => {
          const response = await fetch(instance.origin + paths[k], { headers: { authorization: authorizations[k]! } });
          if (response.status !== 200) throw new Error(`${instance.name}: GET ${paths[k]} answered ${response.status}: ${await response.text()}`);
          return response.text();
        }),
      );
      if (bodies[0] !== bodies[1]) throw new Error(`A and B answer ${paths[k]} differently`);
    }

    const pids = instances.map((i) => i.child.pid!);
    const load = async (label: string, count: 1 | 2, seconds: number): Promise<Run> => {
      const targets = instances.slice(0, count);
      let before = pids.map((pid) => processCpuMicros([pid]));
      let database = cpuMeter(() => postgres.processIds());
      let ticks = machineTicks();
      let wallBefore = performance.now();
      const result = await runWorker<AutocannonRequest, AutocannonResult>(
        autocannonWorker,
        { url: targets[0]!.origin, urls: targets.map((t) => t.origin), paths, authorizations, connections, durationSeconds: seconds },
        () => {
          before = pids.map((pid) => processCpuMicros([pid]));
          database = cpuMeter(() => postgres.processIds());
          ticks = machineTicks();
          wallBefore = performance.now();
        },
      );
      const wallMs = performance.now() - wallBefore;
      const used = pids.map((pid, k) => processCpuMicros([pid]) - before[k]!);
      const databaseMicros = database.since();
      const machinePercent = machineCpuPercentSince(ticks);
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${label}: ${result.non2xx} non-2xx and ${result.errors} errors`);
      const percent = (micros: number) => (micros / 1000 / wallMs) * 100;
      const instanceCpuPercent = used.map(percent);
      const databaseCpuPercent = percent(databaseMicros);
      return {
        ...result,
        label,
        instances: count,
        instanceCpuPercent,
        serverCpuMicrosPerRequest: used.slice(0, count).reduce((a, b) => a + b, 0) / result.requests,
        databaseCpuPercent,
        databaseCpuMicrosPerRequest: databaseMicros / result.requests,
        otherCpuPercent: machinePercent - instanceCpuPercent.reduce((a, b) => a + b, 0) - databaseCpuPercent - result.loadGeneratorCpuPercent,
      };
    };

    console.log(`\ncores: ${cores}; closed loop, ${connections} connections in all, no pipelining, ${durationSeconds} s per run (after 3 s warm-up of each)`);
    await load('warm-up one', 1, 3);
    await load('warm-up two', 2, 3);
    const runs: Run[] = [await load('one 1', 1, durationSeconds)];
    for (let r = 1; r <= rounds; r++) {
      runs.push(await load(`two ${r}`, 2, durationSeconds));
      runs.push(await load(`one ${r + 1}`, 1, durationSeconds));
    }
    printTable(
      ['run', 'instances', 'rps', 'rps A / B', 'p50 ms', 'p99 ms', 'cpu A %', 'cpu B %', 'server cpu µs/req', 'postgres cpu %', 'postgres cpu µs/req', 'loadgen cpu %', 'other cpu %'],
      runs.map((x) => [
        x.label, x.instances, x.rps, (x.rpsByUrl ?? [x.rps]).map((r) => Math.round(r)).join(' / '), x.latencyMs.p50, x.latencyMs.p99,
        x.instanceCpuPercent[0]!, x.instanceCpuPercent[1]!, x.serverCpuMicrosPerRequest, x.databaseCpuPercent, x.databaseCpuMicrosPerRequest,
        x.loadGeneratorCpuPercent, x.otherCpuPercent,
      ]),
    );
    const speedups: number[] = [];
    for (let k = 1; k < runs.length; k += 2) speedups.push(runs[k]!.rps / ((runs[k - 1]!.rps + runs[k + 1]!.rps) / 2));
    const speedup = median(speedups);
    const oneRps = median(runs.filter((x) => x.instances === 1).map((x) => x.rps));
    const twoRps = median(runs.filter((x) => x.instances === 2).map((x) => x.rps));
    const cpuOf = (count: number, f: (x: Run) => number) => median(runs.filter((x) => x.instances === count).map(f));
    console.log(`\ntwo/one per round (vs the mean of the one-instance runs either side): ${speedups.map((x) => x.toFixed(3)).join(', ')}; median ${speedup.toFixed(3)}`);
    console.log('side by side (medians):');
    printTable(
      ['', 'rps', 'cpu A %', 'cpu B %', 'postgres cpu %', 'loadgen cpu %', 'other cpu %', 'machine cores'],
      [1, 2].map((count) => [
        count === 1 ? 'one instance' : 'two instances', count === 1 ? oneRps : twoRps, cpuOf(count, (x) => x.instanceCpuPercent[0]!), cpuOf(count, (x) => x.instanceCpuPercent[1]!),
        cpuOf(count, (x) => x.databaseCpuPercent), cpuOf(count, (x) => x.loadGeneratorCpuPercent), cpuOf(count, (x) => x.otherCpuPercent), cores,
      ]),
    );
    const judged = cores >= CORES_FOR_THE_TARGET;
    const v = judged
      ? verdict([{ label: 'two instances / one', value: speedup, target: TARGET_SPEEDUP }])
      : {
          pass: true,
          line:
            `verdict: NOT JUDGED — two instances / one ${speedup.toFixed(2)} (target ≥ ${TARGET_SPEEDUP} needs ≥ ${CORES_FOR_THE_TARGET} cores: ` +
            `two servers, PostgreSQL and the load generator; this machine has ${cores})`,
        };
    const file = writeResult('instances', {
      parameters: { applications, durationSeconds, connections, rounds, sample: SAMPLE },
      postgres: { version: postgres.version, source: postgres.source, database: copied },
      runs,
      summary: { cores, oneRps, twoRps, speedups, speedup, judged },
      targets: { speedup: TARGET_SPEEDUP, coresForTheTarget: CORES_FOR_THE_TARGET },
      pass: v.pass,
    });
    console.log(`\none instance ${Math.round(oneRps)} rps, two instances ${Math.round(twoRps)} rps: ${speedup.toFixed(3)}× on ${cores} cores`);
    console.log(`result: ${path.relative(process.cwd(), file)}`);
    console.log(v.line);
    if (!v.pass) process.exitCode = 1;
    fs.rmSync(scratch, { recursive: true, force: true });
  } finally {
    await Promise.all(instances.map(stopInstance));
    postgres.stop();
  }
}
