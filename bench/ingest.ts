// Ingest path: POST /api/v1/sync/events in batches of 1000 through HTTP, against a fresh copy of a database
// holding 20,000 active applications created through the real ingest service (so their plans are the
// planner's own and their plan_created notices already went out), with events that walk those applications
// through their steps (step_started, then step_completed, for each step in process order). Two orders of the
// same histories: `live` — by time, as events happen (the verdict; sent one batch at a time, then two at a
// time) and `backfill` — application by application (sent one at a time). Baseline: raw better-sqlite3
// inserting the same rows into a table made with sync_events' own DDL, in one transaction, with the app's
// pragmas.
//
//   npm run bench -- ingest [--applications 20000] [--batches 50] [--batch-size 1000] [--warmup 5]
//   npm run bench -- ingest --profile [--order live|backfill]     (one profiled sequential run: where the time goes)
//   npm run bench -- ingest --pragma wal_autocheckpoint=10000    (experiment: a pragma on the server connection)
//   npm run bench -- ingest --db postgres [--postgres-url URL]
//       the same on PostgreSQL (the template copied in; each run on a fresh copy of it made with CREATE DATABASE …
//       TEMPLATE), after SQLite's runs for its ratio beside; the baseline is node-postgres inserting the same rows
//       one prepared INSERT at a time in one transaction
//
// The HTTP client runs in the server's process: each request body is serialized up front, so per batch the
// client only writes a buffer and parses a small reply (well under 1% of a batch's time).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { buildApp } from '../server/app.ts';
import { openDatabase } from '../db/client.ts';
import { dbFlag, openBenchApp, type BenchApp, type BenchDb } from './bench-app.ts';
import { benchPostgres, copiedDatabase, cpuMeter, databaseFromTemplate, type BenchPostgres, type CopiedDatabase } from './postgres.ts';
import {
  BENCH_NOW,
  BENCH_SYNC_TOKEN,
  benchClock,
  benchConfig,
  booleanFlag,
  machineCpuPercentSince,
  machineTicks,
  median,
  numberFlag,
  percentile,
  printTable,
  profiled,
  resultsDir,
  summarizeProfile,
  verdict,
  writeResult,
} from './common.ts';
import {
  accountOf,
  applicationNoOf,
  benchProcesses,
  customerFields,
  handlerFields,
  handlerIdOf,
  HANDLER_COUNT,
  mulberry32,
  schemaVersion,
  weightedProcesses,
} from './generate-db.ts';

const TARGET_EVENTS_PER_SECOND = 20_000;
const TARGET_RATIO = 0.25;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const TEMPLATE_VERSION = 1;

interface Template {
  file: string;
  applications: number;
  schemaVersion: string;
  reused: boolean;
  seconds: number;
}

/**
 * 20,000 applications accepted 4–14 days before BENCH_NOW, every step pending, created with
 * ingest.upsertApplication (plans from the real planner) after the 500 handlers; the outbox is then emptied, as
 * if the plan_created notices had been delivered. Reused while the schema and catalog are unchanged.
 */
async function ensureTemplate(applications: number): Promise<Template> {
  const file = path.join(resultsDir, `ingest-template-${applications}.db`);
  const metaFile = `${file}.meta.json`;
  const version = `${schemaVersion()}/${TEMPLATE_VERSION}`;
  if (fs.existsSync(file) && fs.existsSync(metaFile)) {
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as Template;
    if (meta.schemaVersion === version && meta.applications === applications) return { ...meta, file, reused: true };
  }
  const started = performance.now();
  fs.mkdirSync(resultsDir, { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(tmp + suffix, { force: true });
  const database = openDatabase(tmp);
  const app = await buildApp({ config: benchConfig(tmp), database, clock: benchClock(), logger: false, startDispatcher: false, startSweeper: false });
  await app.ready();
  const { ingest } = app.applications;
  const rnd = mulberry32(20_000 + applications);
  for (let h = 1; h <= HANDLER_COUNT; h++) {
    const { id, name, phone, teamId, teamName, role } = handlerFields(h, rnd);
    await ingest.upsertHandler(id, { name, phone, teamId, teamName, role });
  }
  const weighted = weightedProcesses(benchProcesses());
  for (let i = 0; i < applications; i++) {
    const process = weighted[Math.floor(rnd() * weighted.length)]!;
    const { accountNo, queryCode } = accountOf(i);
    const acceptedDay = Math.floor((BENCH_NOW + 8 * HOUR) / DAY) - 4 - Math.floor(rnd() * 10);
    const acceptedAt = acceptedDay * DAY - 8 * HOUR + 9 * HOUR + Math.floor(rnd() * 8 * 60) * 60_000;
    const typicalDays = process.steps.reduce((sum, step) => sum + step.typical, 0) * 1.4;
    const requested = rnd() < 0.3 ? new Date((acceptedDay + Math.round(typicalDays * (0.8 + rnd() * 0.8))) * DAY).toISOString().slice(0, 10) : null;
    await ingest.upsertApplication(applicationNoOf(i), {
      accountNo,
      ...customerFields(process.code, rnd),
      processCode: process.code,
      queryCode,
      requestedConnectDate: requested,
      acceptedAt: shanghaiIso(acceptedAt),
      status: 'active',
      accountManagerId: process.code !== 'lv_resident' && rnd() < 0.5 ? handlerIdOf(1 + Math.floor(rnd() * HANDLER_COUNT)) : null,
    });
  }
  database.sqlite.exec('DELETE FROM outbox');
  await app.close();
  database.close();
  fs.renameSync(tmp, file);
  for (const suffix of ['-wal', '-shm']) fs.rmSync(tmp + suffix, { force: true });
  const template: Template = { file, applications, schemaVersion: version, reused: false, seconds: (performance.now() - started) / 1000 };
  fs.writeFileSync(metaFile, JSON.stringify(template, null, 2) + '\n');
  return template;
}

interface SyncEventBody {
  eventId: string;
  applicationNo: string;
  stepCode: string;
  type: 'step_started' | 'step_completed';
  at: string;
  handlerId: string | null;
}

/** ISO 8601 in Shanghai (+08:00), as the marketing system sends it. */
function shanghaiIso(ms: number): string {
  return new Date(ms + 8 * HOUR).toISOString().slice(0, 19) + '+08:00';
}

export type Order = 'live' | 'backfill';

/**
 * Every application's run through its process from its acceptance: each step starts within a day of the
 * previous one's end and takes about its typical duration; events after BENCH_NOW are left out. `live`: all
 * events sorted by time, as the marketing
 * system pushes them when they happen (a batch touches ~1000 different applications); `backfill`: application
 * by application, each one's events back to back (a batch holds the histories so far of ~200 applications).
 * The first `count` events are kept.
 */
function eventStream(template: Database.Database, count: number, order: Order): { events: SyncEventBody[]; at: number[] } {
  const processes = new Map(benchProcesses().map((p) => [p.code, p]));
  const apps = template.prepare('SELECT application_no AS no, process_code AS process, accepted_at AS acceptedAt FROM applications ORDER BY application_no').all() as {
    no: string;
    process: string;
    acceptedAt: number;
  }[];
  const rnd = mulberry32(42);
  const all: { at: number; app: number; event: Omit<SyncEventBody, 'at'> }[] = [];
  apps.forEach((app, index) => {
    const process = processes.get(app.process)!;
    let t = app.acceptedAt;
    for (const step of process.steps) {
      const start = t + Math.floor(rnd() * DAY * (step.code === 'accept' ? 0.1 : 1));
      const end = start + Math.floor(step.typical * (0.5 + rnd()) * 1.4 * DAY);
      t = end;
      const handlerId = step.side === 'utility' ? handlerIdOf(1 + Math.floor(rnd() * HANDLER_COUNT)) : null;
      all.push({ at: start, app: index, event: { eventId: `E-${app.no}-${step.code}-s`, applicationNo: app.no, stepCode: step.code, type: 'step_started', handlerId } });
      all.push({ at: end, app: index, event: { eventId: `E-${app.no}-${step.code}-c`, applicationNo: app.no, stepCode: step.code, type: 'step_completed', handlerId } });
    }
  });
  // only what has happened by the server's now
  const happened = all.filter((e) => e.at <= BENCH_NOW);
  if (order === 'live') happened.sort((a, b) => a.at - b.at || (a.event.eventId < b.event.eventId ? -1 : 1));
  else happened.sort((a, b) => apps[a.app]!.acceptedAt - apps[b.app]!.acceptedAt || a.app - b.app || a.at - b.at);
  if (happened.length < count) throw new Error(`only ${happened.length} events for ${apps.length} applications; need ${count}: use more --applications`);
  const kept = happened.slice(0, count);
  return { events: kept.map((e) => ({ ...e.event, at: shanghaiIso(e.at) })), at: kept.map((e) => e.at) };
}

interface BatchReply {
  accepted: number;
  duplicates: number;
  parked: number;
  rejected: { eventId: string | null; code: string; message: string }[];
}

interface ServerRun {
  label: string;
  inFlight: number;
  batches: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  batchMs: { p50: number; p99: number; max: number };
  serverCpuMicrosPerEvent: number;
  serverCpuPercent: number;
  /** PostgreSQL's processes; NaN on SQLite */
  databaseCpuMicrosPerEvent: number;
  databaseCpuPercent: number;
  otherCpuPercent: number;
  accepted: number;
  outboxRows: number;
}

function post(agent: http.Agent, port: number, body: Buffer): Promise<{ status: number; reply: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/v1/sync/events',
        headers: { authorization: `Bearer ${BENCH_SYNC_TOKEN}`, 'content-type': 'application/json', 'content-length': body.length },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, reply: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

function freshCopy(template: string, name: string): string {
  const file = path.join(resultsDir, name);
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  fs.copyFileSync(template, file);
  return file;
}

/** Where a server run's fresh database comes from: a copy of the SQLite template file, or of the PostgreSQL template. */
type RunSource = { db: 'sqlite'; templateFile: string } | { db: 'postgres'; postgres: BenchPostgres; template: string };

async function serverRun(
  source: RunSource,
  label: string,
  bodies: { warmup: Buffer[]; measured: Buffer[] },
  batchSize: number,
  inFlight: number,
  profile: boolean,
  pragmas: string[],
): Promise<{ run: ServerRun; profile?: Awaited<ReturnType<typeof profiled>>['profile'] }> {
  let opened: BenchApp;
  let removeDatabase: () => Promise<void>;
  if (source.db === 'sqlite') {
    const file = freshCopy(source.templateFile, `ingest-run-${inFlight}.db`);
    opened = await openBenchApp({ db: 'sqlite', file }, { sqlitePragmas: pragmas });
    removeDatabase = async () => {
      for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
    };
  } else {
    const copy = await databaseFromTemplate(source.postgres.adminUrl, source.template, `bench_ingest_run_${inFlight}`);
    opened = await openBenchApp({ db: 'postgres', url: copy.url });
    removeDatabase = copy.drop;
  }
  const { app } = opened;
  // the app logs nothing here: a 500's cause is kept to be told with it
  let lastError: unknown;
  app.addHook('onError', async (_request, _reply, error) => {
    lastError = error;
  });
  const databaseProcesses = source.db === 'postgres' ? () => source.postgres.processIds() : () => [];
  await app.ready();
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const port = Number(new URL(address).port);
  const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight, noDelay: true });
  let accepted = 0;
  const send = async (body: Buffer) => {
    const { status, reply } = await post(agent, port, body);
    if (status !== 200) throw new Error(`${label}: POST /api/v1/sync/events answered ${status}: ${reply.slice(0, 300)}`, { cause: lastError });
    const result = JSON.parse(reply) as BatchReply;
    if (result.accepted !== batchSize) {
      throw new Error(`${label}: ${result.accepted} accepted, ${result.duplicates} duplicates, ${result.parked} parked, rejected ${JSON.stringify(result.rejected.slice(0, 3))}`);
    }
    accepted += result.accepted;
  };
  try {
    for (const body of bodies.warmup) await send(body);
    accepted = 0;
    const latencies: number[] = [];
    const measure = async () => {
      const ticks = machineTicks();
      const cpu = process.cpuUsage();
      const databaseCpu = cpuMeter(databaseProcesses);
      const started = performance.now();
      let next = 0;
      const worker = async () => {
        while (next < bodies.measured.length) {
          const body = bodies.measured[next++]!;
          const t = performance.now();
          await send(body);
          latencies.push(performance.now() - t);
        }
      };
      await Promise.all(Array.from({ length: inFlight }, worker));
      const wallMs = performance.now() - started;
      const used = process.cpuUsage(cpu);
      const databaseMicros = source.db === 'postgres' ? databaseCpu.since() : NaN;
      const serverCpuPercent = ((used.user + used.system) / 1000 / wallMs) * 100;
      const databaseCpuPercent = (databaseMicros / 1000 / wallMs) * 100;
      return {
        wallMs,
        cpuMicros: used.user + used.system,
        databaseMicros,
        serverCpuPercent,
        databaseCpuPercent,
        otherCpuPercent: machineCpuPercentSince(ticks) - serverCpuPercent - (Number.isNaN(databaseCpuPercent) ? 0 : databaseCpuPercent),
      };
    };
    let cpuProfile;
    let m;
    if (profile) {
      const p = await profiled(measure);
      m = p.result;
      cpuProfile = p.profile;
    } else {
      m = await measure();
    }
    latencies.sort((a, b) => a - b);
    const events = bodies.measured.length * batchSize;
    const outboxRows = await opened.count('outbox');
    return {
      run: {
        label,
        inFlight,
        batches: bodies.measured.length,
        events,
        seconds: m.wallMs / 1000,
        eventsPerSecond: events / (m.wallMs / 1000),
        batchMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1]! },
        serverCpuMicrosPerEvent: m.cpuMicros / events,
        serverCpuPercent: m.serverCpuPercent,
        databaseCpuMicrosPerEvent: m.databaseMicros / events,
        databaseCpuPercent: m.databaseCpuPercent,
        otherCpuPercent: m.otherCpuPercent,
        accepted,
        outboxRows,
      },
      profile: cpuProfile,
    };
  } finally {
    agent.destroy();
    await opened.close();
    await removeDatabase();
  }
}

/** Raw better-sqlite3: the same rows into a table made with sync_events' DDL (and its indexes), one transaction. */
function baselineRun(templateFile: string, events: SyncEventBody[], at: number[]): { rowsPerSecond: number; seconds: number } {
  const template = new Database(templateFile, { readonly: true });
  const ddl = template.prepare(`SELECT sql FROM sqlite_master WHERE tbl_name = 'sync_events' AND sql IS NOT NULL ORDER BY type DESC`).all() as { sql: string }[];
  template.close();
  const file = path.join(resultsDir, 'ingest-baseline.db');
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  for (const { sql } of ddl) sqlite.exec(sql);
  const insert = sqlite.prepare(
    `INSERT INTO sync_events (event_id, application_no, step_code, type, at, handler_id, state, received_at, applied_at) VALUES (?, ?, ?, ?, ?, ?, 'applied', ?, ?)`,
  );
  const now = BENCH_NOW;
  const started = performance.now();
  sqlite.transaction(() => {
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      insert.run(e.eventId, e.applicationNo, e.stepCode, e.type, at[i], e.handlerId, now, now);
    }
  })();
  const seconds = (performance.now() - started) / 1000;
  sqlite.close();
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  return { rowsPerSecond: events.length / seconds, seconds };
}

/**
 * Raw node-postgres: the same rows into sync_events (its own DDL and indexes) of a fresh copy of the PostgreSQL
 * template, one transaction. `perRow`: one prepared INSERT per row, one after another (the baseline); otherwise
 * `batchSize` rows per INSERT through unnest (for comparison: what a client can reach with fewer round trips).
 */
async function postgresBaselineRun(
  postgres: BenchPostgres,
  template: string,
  events: SyncEventBody[],
  at: number[],
  mode: { perRow: true } | { perRow: false; batchSize: number },
): Promise<{ rowsPerSecond: number; seconds: number }> {
  const copy = await databaseFromTemplate(postgres.adminUrl, template, 'bench_ingest_baseline');
  const client = new pg.Client({ connectionString: copy.url });
  await client.connect();
  try {
    const existing = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM sync_events')).rows[0]!.n);
    if (existing !== 0) throw new Error(`the template's sync_events holds ${existing} rows`);
    const now = BENCH_NOW;
    const started = performance.now();
    await client.query('BEGIN');
    if (mode.perRow) {
      const text = `INSERT INTO sync_events (event_id, application_no, step_code, type, at, handler_id, state, received_at, applied_at) VALUES ($1, $2, $3, $4, $5, $6, 'applied', $7, $8)`;
      for (let i = 0; i < events.length; i++) {
        const e = events[i]!;
        await client.query({ name: 'bench-insert-event', text, values: [e.eventId, e.applicationNo, e.stepCode, e.type, at[i], e.handlerId, now, now] });
      }
    } else {
      const text =
        `INSERT INTO sync_events (event_id, application_no, step_code, type, at, handler_id, state, received_at, applied_at) ` +
        `SELECT e, a, s, t, w, h, 'applied', $7, $7 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[]) AS x(e, a, s, t, w, h)`;
      for (let from = 0; from < events.length; from += mode.batchSize) {
        const batch = events.slice(from, from + mode.batchSize);
        await client.query({
          name: 'bench-insert-events',
          text,
          values: [batch.map((e) => e.eventId), batch.map((e) => e.applicationNo), batch.map((e) => e.stepCode), batch.map((e) => e.type), at.slice(from, from + mode.batchSize), batch.map((e) => e.handlerId), now],
        });
      }
    }
    await client.query('COMMIT');
    const seconds = (performance.now() - started) / 1000;
    return { rowsPerSecond: events.length / seconds, seconds };
  } finally {
    await client.end();
    await copy.drop();
  }
}

function flagValues(argv: string[], name: string): string[] {
  return argv.flatMap((arg, i) => (arg === `--${name}` && argv[i + 1] !== undefined ? [argv[i + 1]!] : []));
}

export async function run(argv: string[]): Promise<void> {
  const applications = numberFlag(argv, 'applications', 20_000);
  const batches = numberFlag(argv, 'batches', 50);
  const batchSize = numberFlag(argv, 'batch-size', 1000);
  const warmup = argv.includes('--warmup') ? numberFlag(argv, 'warmup', 5) : 5;
  const profile = booleanFlag(argv, 'profile');
  const profileOrder: Order = flagValues(argv, 'order')[0] === 'backfill' ? 'backfill' : 'live';
  /** experiments only: pragmas set on the server's connection after openDatabase (not the production config) */
  const pragmas = flagValues(argv, 'pragma');
  if (pragmas.length > 0) console.log(`EXPERIMENT: server connection pragmas ${pragmas.join(', ')} (not what db/client.ts sets)`);

  const generated = await ensureTemplate(applications);
  const template = new Database(generated.file, { readonly: true });
  const steps = (template.prepare('SELECT count(*) AS n FROM application_steps').get() as { n: number }).n;
  console.log(
    `template: ${path.relative(process.cwd(), generated.file)} — ${generated.applications.toLocaleString('en-US')} active applications, ` +
      `${steps.toLocaleString('en-US')} pending steps, created through the ingest service (${generated.reused ? 'reused' : `in ${generated.seconds.toFixed(1)} s`})`,
  );
  const workloads = (profile ? [profileOrder] : (['live', 'backfill'] as Order[])).map((order) => {
    const stream = eventStream(template, (warmup + batches) * batchSize, order);
    const toBody = (from: number) => Buffer.from(JSON.stringify({ events: stream.events.slice(from, from + batchSize) }));
    const measuredEvents = stream.events.slice(warmup * batchSize);
    const distinct = Array.from({ length: batches }, (_, b) => new Set(measuredEvents.slice(b * batchSize, (b + 1) * batchSize).map((e) => e.applicationNo)).size);
    const bodies = {
      warmup: Array.from({ length: warmup }, (_, b) => toBody(b * batchSize)),
      measured: Array.from({ length: batches }, (_, b) => toBody((warmup + b) * batchSize)),
    };
    console.log(
      `${order} events: ${warmup} warm-up + ${batches} measured batches of ${batchSize} (${(bodies.measured[0]!.length / 1024).toFixed(0)} KiB each), ` +
        `${Math.round(median(distinct))} distinct applications per batch (median), ` +
        `${measuredEvents.filter((e) => e.type === 'step_completed').length} completions, ` +
        `all dated before the server's now`,
    );
    return { order, bodies, measuredEvents, measuredAt: stream.at.slice(warmup * batchSize), distinctPerBatch: median(distinct) };
  });
  template.close();
  const live = workloads[0]!;
  const db = dbFlag(argv);
  if (db === 'postgres' && pragmas.length > 0) throw new Error('--pragma is a SQLite experiment');
  let postgres: BenchPostgres | null = null;
  let copied: CopiedDatabase | undefined;
  if (db === 'postgres') {
    postgres = await benchPostgres(argv);
    console.log(`postgresql: ${postgres.version}, ${postgres.source}`);
    copied = await copiedDatabase(postgres.adminUrl, generated.file, `ingest_${applications}`, generated.schemaVersion, (l) => console.log(l));
    console.log(`postgresql template database: ${copied.name} (${copied.reused ? 'reused' : `copied from the SQLite template in ${copied.seconds.toFixed(1)} s`}); each run gets a fresh copy of it`);
  }

  try {
    // On PostgreSQL, SQLite's runs first, on the same template and events, for its ratio beside.
    const sides: { db: BenchDb; source: RunSource; baseline: () => Promise<{ rowsPerSecond: number; seconds: number }>; baselineLabel: string }[] = [
      {
        db: 'sqlite',
        source: { db: 'sqlite', templateFile: generated.file },
        baseline: async () => baselineRun(generated.file, live.measuredEvents, live.measuredAt),
        baselineLabel: 'raw better-sqlite3 insert, 1 tx',
      },
    ];
    if (postgres && copied) {
      const pgTemplate = copied.name;
      sides.push({
        db: 'postgres',
        source: { db: 'postgres', postgres, template: pgTemplate },
        baseline: () => postgresBaselineRun(postgres!, pgTemplate, live.measuredEvents, live.measuredAt, { perRow: true }),
        baselineLabel: 'raw pg insert per row, 1 tx',
      });
    }
    const label = (side: BenchDb, text: string) => (postgres ? `${side}: ${text}` : text);
    const runs: ServerRun[] = [];
    const baselinesBySide = new Map<BenchDb, { rowsPerSecond: number; seconds: number }[]>();
    let cpuProfile;
    for (const side of sides) {
      // baselines between the server runs, a fresh database each time
      const baselines = [await side.baseline()];
      for (const w of workloads) {
        const sequential = await serverRun(side.source, label(side.db, `${w.order}, sequential`), w.bodies, batchSize, 1, profile, pragmas);
        runs.push(sequential.run);
        cpuProfile ??= sequential.profile;
        baselines.push(await side.baseline());
        if (!profile && w.order === 'live') {
          runs.push((await serverRun(side.source, label(side.db, `${w.order}, 2 in flight`), w.bodies, batchSize, 2, false, pragmas)).run);
          baselines.push(await side.baseline());
        }
      }
      baselinesBySide.set(side.db, baselines);
    }
    // for comparison only: what node-postgres reaches with 1000 rows per INSERT (not the baseline)
    const batchedInsert =
      postgres && copied ? await postgresBaselineRun(postgres, copied.name, live.measuredEvents, live.measuredAt, { perRow: false, batchSize }) : undefined;

    const withDatabase = postgres !== null;
    printTable(
      ['run', 'events', 'seconds', 'events/s', 'batch p50 ms', 'batch p99 ms', 'batch max ms', 'server cpu µs/event', 'server cpu %', ...(withDatabase ? ['postgres cpu µs/event', 'postgres cpu %'] : []), 'other cpu %', 'outbox rows'],
      [
        ...runs.map((r) => [
          r.label, r.events, r.seconds, r.eventsPerSecond, r.batchMs.p50, r.batchMs.p99, r.batchMs.max, r.serverCpuMicrosPerEvent, r.serverCpuPercent,
          ...(withDatabase ? [Number.isNaN(r.databaseCpuMicrosPerEvent) ? '—' : r.databaseCpuMicrosPerEvent, Number.isNaN(r.databaseCpuPercent) ? '—' : r.databaseCpuPercent] : []),
          r.otherCpuPercent, r.outboxRows,
        ]),
        ...sides.flatMap((side) =>
          baselinesBySide.get(side.db)!.map((b, i) => [label(side.db, `baseline ${i + 1} (${side.baselineLabel})`), live.measuredEvents.length, b.seconds, b.rowsPerSecond, '', '', '', '', '', ...(withDatabase ? ['', ''] : []), '', '']),
        ),
        ...(batchedInsert ? [[`postgres: pg insert of ${batchSize} rows per statement, 1 tx (not the baseline)`, live.measuredEvents.length, batchedInsert.seconds, batchedInsert.rowsPerSecond, '', '', '', '', '', '', '', '', '']] : []),
      ],
    );
    const busiest = Math.max(...runs.map((r) => r.otherCpuPercent));
    if (busiest > 30) {
      console.log(
        `WARNING: other work used up to ${Math.round(busiest)}% of a core during these runs (other processes): ` +
          `events/s understate the server; compare "server cpu µs/event", which depends much less on it`,
      );
    }
    if (cpuProfile) {
      const file = path.join(resultsDir, 'ingest.cpuprofile');
      fs.writeFileSync(file, JSON.stringify(cpuProfile));
      printTable(['function (self time)', 'self %', 'incl %'], summarizeProfile(cpuProfile, 45));
      console.log(`profile: ${path.relative(process.cwd(), file)}`);
    }
    const bySide = sides.map((side) => {
      const verdictRun = runs.find((r) => r.label === label(side.db, `${workloads[0]!.order}, sequential`))!;
      const baselineRowsPerSecond = median(baselinesBySide.get(side.db)!.map((b) => b.rowsPerSecond));
      return { db: side.db, verdictRun, eventsPerSecond: verdictRun.eventsPerSecond, baselineRowsPerSecond, ratio: verdictRun.eventsPerSecond / baselineRowsPerSecond };
    });
    if (postgres) {
      console.log('\nside by side (same template, same events, same run):');
      printTable(
        ['database', `events/s (${workloads[0]!.order}, sequential)`, 'baseline rows/s (median)', 'baseline', 'ratio', 'server cpu µs/event', 'postgres cpu µs/event'],
        bySide.map((b) => [
          b.db, b.eventsPerSecond, b.baselineRowsPerSecond, sides.find((x) => x.db === b.db)!.baselineLabel, b.ratio, b.verdictRun.serverCpuMicrosPerEvent,
          Number.isNaN(b.verdictRun.databaseCpuMicrosPerEvent) ? '—' : b.verdictRun.databaseCpuMicrosPerEvent,
        ]),
      );
    }
    const main = bySide[bySide.length - 1]!;
    const v = verdict([
      { label: `events/s (${main.verdictRun.label})`, value: main.eventsPerSecond, target: TARGET_EVENTS_PER_SECOND },
      { label: `ratio to raw inserts (${main.db})`, value: main.ratio, target: TARGET_RATIO },
    ]);
    const file = writeResult(profile ? 'ingest-profile' : pragmas.length > 0 ? 'ingest-experiment' : postgres ? 'ingest-postgres' : 'ingest', {
      parameters: { applications, batches, batchSize, warmup, profile, pragmas, db },
      template: generated,
      postgres: postgres && { version: postgres.version, source: postgres.source, template: copied },
      workloads: workloads.map((w) => ({ order: w.order, distinctApplicationsPerBatch: w.distinctPerBatch })),
      runs,
      baselines: Object.fromEntries(baselinesBySide),
      postgresBatchedInsert: batchedInsert,
      summary: {
        eventsPerSecond: main.eventsPerSecond,
        byRun: Object.fromEntries(runs.map((r) => [r.label, r.eventsPerSecond])),
        baselineRowsPerSecond: main.baselineRowsPerSecond,
        ratio: main.ratio,
        bySide: bySide.map((b) => ({ db: b.db, eventsPerSecond: b.eventsPerSecond, baselineRowsPerSecond: b.baselineRowsPerSecond, ratio: b.ratio })),
        busiestOtherCpuPercent: busiest,
      },
      targets: { eventsPerSecond: TARGET_EVENTS_PER_SECOND, ratio: TARGET_RATIO },
      pass: v.pass,
    });
    console.log(
      `\n${runs.map((r) => `${r.label}: ${Math.round(r.eventsPerSecond)} events/s`).join('; ')}; ` +
        bySide.map((b) => `${postgres ? `${b.db}: ` : ''}baseline ${Math.round(b.baselineRowsPerSecond)} rows/s; ratio ${b.ratio.toFixed(3)}`).join('; '),
    );
    console.log(`result: ${path.relative(process.cwd(), file)}`);
    console.log(v.line);
    if (!v.pass) process.exitCode = 1;
  } finally {
    postgres?.stop();
  }
}
