// Generates a benchmark database of N applications in bulk: the real schema (migrations applied by
// openDatabase), then teams, handlers, applications, their steps with plans and their step completions,
// written with raw better-sqlite3 prepared inserts in large transactions, then their stored progress views
// (through the application store, as the server writes them). Reused when a file with the same N and schema
// version exists.
//
//   npx tsx bench/generate-db.ts [--applications 1000000] [--profile mixed|fresh]
//   (or: npm run bench -- generate --applications N [--profile fresh])
//
// Profiles: `sla` — every application active with one utility step under way, its next alert spread over the next
// 60 workdays (bench/sweep.ts); `mixed` (default) — all four processes; 80% of applications active at every stage of their
// process (a step in progress with its due time, earlier steps done, later ones planned from today), the rest
// completed, suspended or cancelled; `fresh` — every application active with every step pending (used by
// bench/notify.ts). Every plan is dated BENCH_TODAY, so reads never re-plan.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { openDatabase } from '../db/client.ts';
import { createSqliteStores } from '../db/sqlite/stores.ts';
import { storeMissingProgressViews } from '../server/applications/progress-views.ts';
import { BENCH_NOW, BENCH_SECRET, BENCH_TODAY, formatNumber, numberFlag, resultsDir } from './common.ts';

/** Bump when the generated data changes shape, so stale files are regenerated. */
const GENERATOR_VERSION = 6;

export type Profile = 'mixed' | 'fresh' | 'sla';

export interface GenerateOptions {
  applications: number;
  /** default `mixed` */
  profile?: Profile;
  /** defaults to bench/results/db-<profile>-<N>.db */
  file?: string;
  log?: (line: string) => void;
}

export interface GeneratedDatabase {
  file: string;
  applications: number;
  profile: Profile;
  schemaVersion: string;
  reused: boolean;
  seconds: number;
  rows: Record<string, number>;
  megabytes: number;
}

// ---- deterministic identities, shared with the benchmarks -------------------------------------

export const TEAM_COUNT = 50;
export const HANDLER_COUNT = 500;

export const applicationNoOf = (i: number) => `AP${String(i).padStart(8, '0')}`;
export const handlerIdOf = (h: number) => `H${String(h).padStart(4, '0')}`;

/** One account in six holds two applications (i and i−1), like a customer adding a second supply. */
export function accountOf(i: number): { accountNo: string; queryCode: string } {
  const account = i - Math.floor(i / 6);
  return { accountNo: `53${String(account).padStart(8, '0')}`, queryCode: String(100_000 + ((account * 7919 + 4241) % 900_000)) };
}

/** Same formula as server/applications/ingest.ts queryCodeHmac (kept local so generation has no app imports). */
function queryCodeHmac(accountNo: string, queryCode: string): string {
  return crypto.createHmac('sha256', BENCH_SECRET).update(`query-code\u0000${accountNo}\u0000${queryCode}`).digest('hex');
}

// ---- catalog --------------------------------------------------------------------------------

interface CatalogStepJson {
  code: string;
  limitWorkdays?: number | null;
  typicalWorkdays: number;
}
interface CatalogJson {
  steps: Record<string, { name: string; side: 'utility' | 'customer' }>;
  processes: { code: string; name: string; steps: CatalogStepJson[] }[];
}
export interface BenchStep {
  code: string;
  side: 'utility' | 'customer';
  typical: number;
  limit: number | null;
}
export interface BenchProcess {
  code: string;
  steps: BenchStep[];
  /** an upper bound of the days a whole run of the process takes in this generator */
  maxSpanDays: number;
}

const catalogFile = path.resolve(import.meta.dirname, '../catalog/processes.json');
const migrationsFolder = path.resolve(import.meta.dirname, '../db/migrations');

/** Read straight from catalog/processes.json so generation does not depend on modules being edited. */
export function benchProcesses(): BenchProcess[] {
  const json = JSON.parse(fs.readFileSync(catalogFile, 'utf8')) as CatalogJson;
  return json.processes.map((p) => {
    const steps = p.steps.map((s) => ({
      code: s.code,
      side: json.steps[s.code]!.side,
      typical: s.typicalWorkdays,
      limit: s.limitWorkdays ?? null,
    }));
    const maxSpanDays = steps.reduce((sum, s) => sum + 1 + s.typical * MAX_STRETCH * CALENDAR_PER_WORKDAY, 0) + 1;
    return { code: p.code, steps, maxSpanDays };
  });
}

const PROCESS_WEIGHTS: Record<string, number> = { lv_resident: 0.3, lv_business: 0.3, hv_single: 0.25, hv_dual: 0.15 };

// ---- time helpers (Asia/Shanghai has no DST: a fixed +08:00) ----------------------------------

const DAY = 86_400_000;
const HOUR = 3_600_000;
const OFFSET = 8 * HOUR;
const MIN_STRETCH = 0.5;
const MAX_STRETCH = 1.6;
const CALENDAR_PER_WORKDAY = 7 / 5;
/** sla profile: alert times spread evenly over the next 60 workdays (84 calendar days, weekends included). */
export const SLA_SPAN_MS = 60 * CALENDAR_PER_WORKDAY * 86_400_000;

const dayOf = (ms: number) => Math.floor((ms + OFFSET) / DAY);
const dateCache = new Map<number, string>();
function dateOf(day: number): string {
  let s = dateCache.get(day);
  if (s === undefined) {
    s = new Date(day * DAY).toISOString().slice(0, 10);
    dateCache.set(day, s);
  }
  return s;
}
const isWeekend = (day: number) => {
  const wd = (((day + 4) % 7) + 7) % 7; // 0 = Sunday
  return wd === 0 || wd === 6;
};
const nextWorkday = (day: number) => {
  while (isWeekend(day)) day++;
  return day;
};
/** n ≥ 1 workdays counting `day` itself (moved to a workday first): the last of them. */
function addWorkdays(day: number, n: number): number {
  let d = nextWorkday(day);
  for (let left = n - 1; left > 0; left--) d = nextWorkday(d + 1);
  return d;
}
function workdaysBetweenInclusive(a: number, b: number): number {
  let count = 0;
  for (let d = a; d <= b; d++) if (!isWeekend(d)) count++;
  return count;
}
/** The last millisecond of `day` in Shanghai. */
const endOfDay = (day: number) => (day + 1) * DAY - OFFSET - 1;
/** 09:00–17:00 local on `day`, at a random minute. */
const workingInstant = (day: number, rnd: () => number) => day * DAY - OFFSET + 9 * HOUR + Math.floor(rnd() * 8 * 60) * 60_000;

// ---- deterministic randomness ----------------------------------------------------------------

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const SURNAMES = Array.from('王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈');
const GIVEN = Array.from('明华国建军文红平伟芳丽强磊洋艳勇杰娟涛超秀英霞刚桂兰玉萍');
const COMPANY_PARTS = ['食品', '建材', '物流', '机械', '电子', '纺织', '印务', '农业科技', '医药', '化工', '酒店管理', '商贸'];
const PLACES = ['玉溪', '红塔', '江川', '澄江', '通海', '华宁', '易门', '峨山', '新平', '元江'];
const ROADS = ['玉兴路', '珊瑚路', '东风南路', '凤凰路', '聂耳路', '北苑路', '玉带路', '红塔大道'];

const pick = <T>(list: readonly T[], rnd: () => number): T => list[Math.floor(rnd() * list.length)]!;
const personName = (rnd: () => number) => pick(SURNAMES, rnd) + pick(GIVEN, rnd) + (rnd() < 0.6 ? pick(GIVEN, rnd) : '');
const mobile = (rnd: () => number) => `1${pick(['38', '39', '58', '59', '87', '88', '36', '51'], rnd)}${String(Math.floor(rnd() * 1e8)).padStart(8, '0')}`;

/** Name, capacity, address and mobile of a customer applying for `processCode`. */
export function customerFields(processCode: string, rnd: () => number) {
  const business = processCode !== 'lv_resident';
  return {
    customerName: business ? `${pick(PLACES, rnd)}${pick(SURNAMES, rnd)}氏${pick(COMPANY_PARTS, rnd)}有限公司` : personName(rnd),
    capacityKva: processCode === 'lv_resident' ? 8 : processCode === 'lv_business' ? pick([30, 50, 80, 100, 160], rnd) : pick([315, 400, 630, 800, 1250, 2000], rnd),
    address: `${pick(PLACES, rnd)}区${pick(ROADS, rnd)} ${1 + Math.floor(rnd() * 300)} 号`,
    phone: mobile(rnd),
  };
}

/** A handler of the bench's 500 in 50 teams (the first of each team leads it). */
export function handlerFields(h: number, rnd: () => number) {
  const team = ((h - 1) % TEAM_COUNT) + 1;
  return {
    id: handlerIdOf(h),
    name: personName(rnd),
    phone: mobile(rnd),
    teamId: `T${String(team).padStart(2, '0')}`,
    teamName: `${PLACES[team % PLACES.length]}业扩${team}班`,
    role: h <= TEAM_COUNT ? ('team_lead' as const) : ('handler' as const),
  };
}

/** Processes repeated by their share of applications: pick one uniformly from this list. */
export function weightedProcesses(processes: BenchProcess[]): BenchProcess[] {
  const weighted: BenchProcess[] = [];
  for (const p of processes) for (let k = 0; k < Math.round((PROCESS_WEIGHTS[p.code] ?? 0.1) * 100); k++) weighted.push(p);
  return weighted;
}

// ---- schema version --------------------------------------------------------------------------

export function schemaVersion(): string {
  const hash = crypto.createHash('sha256').update(`generator ${GENERATOR_VERSION}\u0000${BENCH_SECRET}\u0000${BENCH_TODAY}\u0000`);
  const files = fs.readdirSync(migrationsFolder, { recursive: true, encoding: 'utf8' }).sort();
  for (const f of files) {
    const full = path.join(migrationsFolder, f);
    if (fs.statSync(full).isFile()) hash.update(f).update(fs.readFileSync(full));
  }
  hash.update(fs.readFileSync(catalogFile));
  return hash.digest('hex').slice(0, 16);
}

export function defaultDatabaseFile(profile: Profile, applications: number): string {
  return path.join(resultsDir, `db-${profile}-${applications}.db`);
}

function removeDatabaseFiles(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(file + suffix, { force: true });
}

// ---- generation -------------------------------------------------------------------------------

export async function ensureDatabase(options: GenerateOptions): Promise<GeneratedDatabase> {
  const log = options.log ?? ((line: string) => console.log(line));
  const profile = options.profile ?? 'mixed';
  const file = options.file ?? defaultDatabaseFile(profile, options.applications);
  const metaFile = `${file}.meta.json`;
  const version = schemaVersion();
  if (fs.existsSync(file) && fs.existsSync(metaFile)) {
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as GeneratedDatabase;
    if (meta.schemaVersion === version && meta.applications === options.applications && meta.profile === profile) {
      return { ...meta, file, reused: true };
    }
    log(`database ${path.basename(file)} is stale (schema ${meta.schemaVersion} ≠ ${version}); regenerating`);
  }
  const started = performance.now();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  removeDatabaseFiles(tmp);
  // The real schema: the project's migrations through its own client.
  openDatabase(tmp).close();
  const rows = generateInto(tmp, options.applications, profile, log);
  rows.progress_views = await storeProgressViews(tmp, log);
  removeDatabaseFiles(file);
  fs.rmSync(metaFile, { force: true });
  fs.renameSync(tmp, file);
  removeDatabaseFiles(tmp);
  const result: GeneratedDatabase = {
    file,
    applications: options.applications,
    profile,
    schemaVersion: version,
    reused: false,
    seconds: (performance.now() - started) / 1000,
    rows,
    megabytes: Math.round(fs.statSync(file).size / 2 ** 20),
  };
  fs.writeFileSync(metaFile, JSON.stringify(result, null, 2) + '\n');
  return result;
}

/**
 * An INSERT over the columns the generator knows that the table has; values are passed in `known` order.
 * Fails loudly when a migration added a NOT NULL column without a default that the generator cannot fill.
 */
function insertInto(sqlite: Database.Database, table: string, known: readonly string[]): (values: unknown[]) => void {
  const columns = sqlite.pragma(`table_info(${table})`) as { name: string; notnull: number; dflt_value: unknown; pk: number }[];
  const missing = columns.filter((c) => c.notnull && c.dflt_value === null && !known.includes(c.name));
  if (missing.length > 0) throw new Error(`bench/generate-db.ts cannot fill ${table}.${missing.map((c) => c.name).join(', ')}: update the generator`);
  const present = known.filter((k) => columns.some((c) => c.name === k));
  const statement = sqlite.prepare(`INSERT INTO ${table} (${present.join(', ')}) VALUES (${present.map(() => '?').join(', ')})`);
  if (present.length === known.length) return (values) => statement.run(values);
  const pick = present.map((k) => known.indexOf(k));
  return (values) => statement.run(pick.map((i) => values[i]));
}

function generateInto(file: string, n: number, profile: Profile, log: (line: string) => void): Record<string, number> {
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = OFF');
  sqlite.pragma('synchronous = OFF');
  sqlite.pragma('locking_mode = EXCLUSIVE');
  sqlite.pragma('temp_store = MEMORY');
  sqlite.pragma('cache_size = -1000000');
  // Secondary indexes are built once at the end (a sort), not maintained row by row.
  const indexes = sqlite
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name NOT LIKE '__drizzle%'`)
    .all() as { name: string; sql: string }[];
  for (const index of indexes) sqlite.exec(`DROP INDEX "${index.name}"`);

  const weighted = weightedProcesses(benchProcesses());
  const rnd = mulberry32(20261124 + n + (profile === 'fresh' ? 1 : 0));
  const now = BENCH_NOW;
  const today = dayOf(now);
  if (dateOf(today) !== BENCH_TODAY) throw new Error(`BENCH_NOW is not on BENCH_TODAY`);
  const counts = { teams: 0, handlers: 0, applications: 0, application_steps: 0, step_completions: 0 };

  // teams and handlers
  const insertTeam = insertInto(sqlite, 'teams', ['id', 'name', 'updated_at']);
  const insertHandler = insertInto(sqlite, 'handlers', ['id', 'name', 'phone', 'team_id', 'role', 'updated_at']);
  sqlite.transaction(() => {
    for (let h = 1; h <= HANDLER_COUNT; h++) {
      const handler = handlerFields(h, rnd);
      if (h <= TEAM_COUNT) {
        insertTeam([handler.teamId, handler.teamName, now]);
        counts.teams++;
      }
      insertHandler([handler.id, handler.name, handler.phone, handler.teamId, handler.role, now]);
      counts.handlers++;
    }
  })();

  const insertApplication = insertInto(sqlite, 'applications', [
    'application_no', 'account_no', 'customer_name', 'process_code', 'capacity_kva', 'address', 'phone',
    'query_code_hmac', 'requested_connect_date', 'accepted_at', 'status', 'account_manager_id', 'source_digest',
    'expected_connect_date', 'plan_feasible', 'earliest_feasible_date', 'plan_basis', 'plan_compressed', 'planned_on',
    'created_at', 'updated_at',
  ]);
  const insertStep = insertInto(sqlite, 'application_steps', [
    'application_no', 'step_code', 'position', 'status', 'actual_start', 'actual_end', 'last_started_at',
    'last_completed_at', 'handler_id', 'handler_at', 'planned_start', 'planned_end', 'due_at', 'warn_at', 'alert_at',
  ]);
  const insertCompletion = insertInto(sqlite, 'step_completions', ['application_no', 'process_code', 'step_code', 'completed_at', 'workdays']);

  let hmacAccount = -1;
  let hmac = '';
  const BATCH = 50_000;
  const started = performance.now();
  for (let from = 0; from < n; from += BATCH) {
    sqlite.transaction(() => {
      for (let i = from; i < Math.min(n, from + BATCH); i++) {
        const process = weighted[Math.floor(rnd() * weighted.length)]!;
        const applicationNo = applicationNoOf(i);
        const { accountNo, queryCode } = accountOf(i);
        const accountIndex = i - Math.floor(i / 6);
        if (accountIndex !== hmacAccount) {
          hmac = queryCodeHmac(accountNo, queryCode);
          hmacAccount = accountIndex;
        }
        const business = process.code !== 'lv_resident';
        const { customerName, capacityKva, address, phone } = customerFields(process.code, rnd);

        // status and acceptance time
        let status: 'active' | 'completed' | 'suspended' | 'cancelled' = 'active';
        let acceptedAt: number;
        if (profile === 'fresh' || profile === 'sla') {
          acceptedAt = now - Math.floor((20 + rnd() * 30) * DAY);
        } else {
          const r = rnd();
          status = r < 0.8 ? 'active' : r < 0.94 ? 'completed' : r < 0.98 ? 'suspended' : 'cancelled';
          const back = status === 'completed' ? process.maxSpanDays + 1 + rnd() * 365 : rnd() * process.maxSpanDays;
          acceptedAt = now - Math.floor(back * DAY);
        }
        acceptedAt = workingInstant(nextWorkday(dayOf(acceptedAt)), rnd);
        if (acceptedAt > now) acceptedAt = now - HOUR;

        // plan basis
        const typicalTotal = process.steps.reduce((s, x) => s + x.typical, 0);
        const requested = rnd() < 0.3 ? dayOf(acceptedAt) + Math.round(typicalTotal * CALENDAR_PER_WORKDAY * (0.8 + rnd() * 0.8)) : null;

        // steps: simulate the run from acceptance, cut at now
        let t = acceptedAt;
        let previousPlannedEnd = -1;
        let expectedEnd = today;
        const stepsOfApplication: unknown[][] = [];
        // sla: one utility step under way in every application, its next alert somewhere in the next 60 workdays
        const timed = process.steps.flatMap((s, k) => (s.limit === null ? [] : [k]));
        const current = profile === 'sla' ? timed[Math.floor(rnd() * timed.length)]! : -1;
        if (profile === 'sla') t = now - (current + 1) * DAY;
        process.steps.forEach((step, position) => {
          const start = profile === 'sla' ? now - (current + 1 - position) * DAY : t + Math.floor(rnd() * DAY);
          const end =
            profile === 'sla' ? start + HOUR : start + Math.floor(step.typical * (MIN_STRETCH + rnd() * (MAX_STRETCH - MIN_STRETCH)) * CALENDAR_PER_WORKDAY * DAY);
          t = end;
          const simulated =
            profile === 'sla'
              ? position < current ? 'done' : position === current ? 'in_progress' : 'pending'
              : profile === 'fresh' ? 'pending' : status === 'completed' || end <= now ? 'done' : start <= now ? 'in_progress' : 'pending';
          let plannedStart: number;
          let plannedEnd: number;
          let actualStart: number | null = null;
          let actualEnd: number | null = null;
          let dueAt: number | null = null;
          let warnAt: number | null = null;
          let alertAt: number | null = null;
          let handlerId: string | null = null;
          if (simulated === 'pending') {
            plannedStart = previousPlannedEnd < 0 ? nextWorkday(Math.max(today, dayOf(acceptedAt))) : nextWorkday(Math.max(today, previousPlannedEnd + 1));
            plannedEnd = addWorkdays(plannedStart, step.typical);
          } else {
            actualStart = start;
            plannedStart = dayOf(start);
            handlerId = step.side === 'utility' ? handlerIdOf(1 + Math.floor(rnd() * HANDLER_COUNT)) : null;
            if (step.limit !== null) {
              dueAt = endOfDay(addWorkdays(plannedStart, step.limit));
              // 1 working day or 20% of the allowed time before dueAt, whichever is earlier (approximately)
              warnAt = dueAt - Math.max(DAY, Math.round(0.2 * step.limit * DAY));
              if (profile === 'sla' && simulated === 'in_progress') {
                warnAt = now + Math.floor(rnd() * SLA_SPAN_MS);
                dueAt = warnAt + DAY;
              }
              if (simulated === 'in_progress' && status === 'active') alertAt = warnAt;
            }
            if (simulated === 'done') {
              actualEnd = end;
              plannedEnd = dayOf(end);
              const workdays = Math.max(1, workdaysBetweenInclusive(dayOf(start), dayOf(end)));
              insertCompletion([applicationNo, process.code, step.code, end, workdays]);
              counts.step_completions++;
            } else {
              plannedEnd = Math.max(today, addWorkdays(plannedStart, step.typical));
            }
          }
          previousPlannedEnd = plannedEnd;
          expectedEnd = plannedEnd;
          const handlerAt = handlerId === null ? null : Math.max(actualStart ?? 0, actualEnd ?? 0);
          stepsOfApplication.push([
            applicationNo, step.code, position, simulated, actualStart, actualEnd, actualStart, actualEnd, handlerId, handlerAt,
            dateOf(plannedStart), dateOf(plannedEnd), dueAt, warnAt, alertAt,
          ]);
        });

        const feasible = requested === null || expectedEnd <= requested || rnd() < 0.5;
        const requestedConnectDate = requested === null ? null : dateOf(requested);
        const accountManagerId = business && rnd() < 0.5 ? handlerIdOf(1 + Math.floor(rnd() * HANDLER_COUNT)) : null;
        // The digest ingest computes for an identical upsert (JSON of these fields, in this order).
        const fields = {
          accountNo, customerName, processCode: process.code, capacityKva, address, phone, queryCodeHmac: hmac,
          requestedConnectDate, acceptedAt, status, accountManagerId,
        };
        const sourceDigest = crypto.createHash('sha256').update(JSON.stringify(fields)).digest('base64url');
        insertApplication([
          applicationNo, accountNo, customerName, process.code, capacityKva, address, phone, hmac, requestedConnectDate,
          acceptedAt, status, accountManagerId, sourceDigest,
          dateOf(expectedEnd), feasible ? 1 : 0, feasible ? null : dateOf(expectedEnd), requested === null ? 'typical' : 'requested_date', 0, BENCH_TODAY,
          acceptedAt, Math.min(now, t),
        ]);
        counts.applications++;
        for (const row of stepsOfApplication) insertStep(row);
        counts.application_steps += stepsOfApplication.length;
      }
    })();
    if ((from / BATCH) % 4 === 3 || from + BATCH >= n) {
      const done = Math.min(n, from + BATCH);
      log(`  generated ${formatNumber(done)} / ${formatNumber(n)} applications (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    }
  }
  const indexStarted = performance.now();
  for (const index of indexes) sqlite.exec(index.sql);
  log(`  built ${indexes.length} indexes (${((performance.now() - indexStarted) / 1000).toFixed(1)} s)`);
  sqlite.pragma('journal_mode = DELETE');
  sqlite.close();
  return counts;
}

/** The stored progress views, written as the server writes them (and as it fills them in for an older database). */
async function storeProgressViews(file: string, log: (line: string) => void): Promise<number> {
  const started = performance.now();
  const database = openDatabase(file);
  try {
    const { stores, transact } = createSqliteStores(database);
    const written = await storeMissingProgressViews(stores, transact, 5000);
    log(`  stored ${formatNumber(written)} progress views (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    return written;
  } finally {
    database.close();
  }
}

// ---- command line -----------------------------------------------------------------------------

async function main(argv: string[]) {
  const applications = numberFlag(argv, 'applications', 1_000_000);
  const profileIndex = argv.indexOf('--profile');
  const profile = (profileIndex >= 0 ? argv[profileIndex + 1] : 'mixed') as Profile;
  if (profile !== 'mixed' && profile !== 'fresh' && profile !== 'sla') throw new Error(`--profile must be mixed, fresh or sla, got "${profile}"`);
  const result = await ensureDatabase({ applications, profile });
  console.log(
    `${result.reused ? 'reused' : 'generated'} ${result.file} — ${formatNumber(result.applications)} applications (${profile}), ` +
      `${JSON.stringify(result.rows)}, ${result.megabytes} MiB, ${result.seconds.toFixed(1)} s, schema ${result.schemaVersion}`,
  );
}

export const run = main;

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
