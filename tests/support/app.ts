// Builds the real app on a fresh SQLite database (':memory:' or a temp file) for one test.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { buildApp, type AppDeps, type JiedianApp } from '../../server/app.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { createOutboxStore, type OutboxStore } from '../../db/outbox-store.ts';
import { openDatabase, type Database_, type OpenOptions } from '../../db/client.ts';
import { ManualClock } from '../../server/shared/clock.ts';
import { openPostgresBackend } from '../../db/postgres/backend.ts';
import { freshPostgresDatabase } from './postgres.ts';

export const SYNC_TOKEN = 'test-sync-token-0123456789';
export const SECRET = 'test-secret-0123456789-0123456789-abcdef';

export function testConfig(env: Record<string, string> = {}): Config {
  // The scenarios replay histories from days before DEFAULT_NOW as if they were live; the late-event horizon
  // (LATE_EVENT_HORIZON_HOURS) is tested on its own, with its default, in notices-replay.test.ts.
  return loadConfig({ SYNC_TOKEN, JIEDIAN_SECRET: SECRET, DATABASE_PATH: ':memory:', QUIET_HOURS: '', LATE_EVENT_HORIZON_HOURS: '8760', ...env });
}

/** 2026-11-24 10:00 in Shanghai */
export const DEFAULT_NOW = Date.parse('2026-11-24T10:00:00+08:00');

export interface TestApp {
  app: JiedianApp;
  database: Database_;
  clock: ManualClock;
  config: Config;
  /** an Authorization header for the sync API */
  sync: { authorization: string };
  /** the outbox and opt-outs read (and, to arrange a case, written) at once on the SQLite database */
  outbox: OutboxStore;
  /**
   * Runs one SQL statement on the app's database, whichever it is (`?` placeholders; the tables and columns have the
   * same names on both): for arranging a state no request can make, and for reading what no port exposes. Rows come
   * back as the driver gives them (SQLite: 0/1 and JSON text; PostgreSQL: booleans, jsonb objects, bigint as text).
   */
  sql(text: string, ...params: unknown[]): Promise<Record<string, unknown>[]>;
}

/**
 * JIEDIAN_TEST_DB=postgres (the `postgres` project in vitest.config.ts): buildTestApp runs the app on a fresh
 * PostgreSQL database of the test cluster instead of SQLite. A test that reads SQLite directly (t.database, t.outbox)
 * cannot run so, and says so when it tries.
 */
export const testDatabaseKind: 'sqlite' | 'postgres' = process.env.JIEDIAN_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';

const open: { app?: JiedianApp; close: () => Promise<void> }[] = [];
afterEach(async () => {
  while (open.length) {
    const t = open.pop()!;
    await t.app?.close();
    await t.close();
  }
});

function sqliteOnly(what: string): never {
  throw new Error(`${what} reads the SQLite database directly: this test cannot run with JIEDIAN_TEST_DB=postgres`);
}

export function tempDatabasePath(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiedian-test-'));
  return path.join(dir, 'jiedian.db');
}

export interface BuildTestAppOptions {
  env?: Record<string, string>;
  now?: number;
  databasePath?: string;
  open?: OpenOptions;
  deps?: Partial<AppDeps>;
}

export async function buildTestApp(options: BuildTestAppOptions = {}): Promise<TestApp> {
  if (testDatabaseKind === 'postgres' && options.databasePath === undefined && options.open === undefined && !options.deps?.backend) {
    const target = await freshPostgresDatabase({ migrated: true });
    return postgresTestApp(target.url, options, () => target.drop());
  }
  const clock = new ManualClock(options.now ?? DEFAULT_NOW);
  const sync = { authorization: `Bearer ${SYNC_TOKEN}` };
  const config = testConfig(options.env);
  const database = openDatabase(options.databasePath ?? ':memory:', options.open);
  const app = await buildApp({ config, database, clock, ...options.deps });
  open.push({ app, close: async () => database.close() });
  await app.ready();
  const sql = async (text: string, ...params: unknown[]) => {
    const statement = database.sqlite.prepare(text);
    return (statement.reader ? statement.all(...params) : (statement.run(...params), [])) as Record<string, unknown>[];
  };
  return { app, database, clock, config, sync, outbox: createOutboxStore(database.db), sql };
}

/** The app on a PostgreSQL database of the test cluster; `closed` runs after its backend is closed. */
async function postgresTestApp(url: string, options: BuildTestAppOptions, closed: () => Promise<void>): Promise<TestApp> {
  const clock = new ManualClock(options.now ?? DEFAULT_NOW);
  const sync = { authorization: `Bearer ${SYNC_TOKEN}` };
  const config = testConfig({ ...options.env, DATABASE_URL: url });
  // as server/main.ts opens it: DELIVERY_CLAIM_LEASE_MS holds (its default is the queue's)
  const backend = await openPostgresBackend({ url, leaseRetryMs: 100, claimLeaseMs: config.postgres!.claimLeaseMs });
  const app = await buildApp({ config, backend, clock, ...options.deps });
  let closing: Promise<void> | null = null;
  const close = () => (closing ??= app.close().then(() => backend.close().finally(closed)));
  open.push({ app, close });
  closers.set(app, close);
  await app.ready();
  const sql = async (text: string, ...params: unknown[]) => {
    let n = 0;
    return (await backend.database.pool.query(text.replace(/\?/g, () => `$${++n}`), params)).rows as Record<string, unknown>[];
  };
  const t = { app, clock, config, sync, sql } as TestApp;
  Object.defineProperty(t, 'database', { get: () => sqliteOnly('t.database') });
  Object.defineProperty(t, 'outbox', { get: () => sqliteOnly('t.outbox') });
  return t;
}

const closers = new WeakMap<JiedianApp, () => Promise<void>>();

/**
 * A database that outlives the apps built on it, for a restart or a second process on the same data: a temp SQLite
 * file, or (JIEDIAN_TEST_DB=postgres) a database of the test cluster, dropped after the test.
 */
export interface TestDatabase {
  kind: 'sqlite' | 'postgres';
  /** what a process needs in its environment to open it (DATABASE_PATH or DATABASE_URL) */
  env: Record<string, string>;
  /** an app on this database, as buildTestApp builds one */
  build(options?: Omit<BuildTestAppOptions, 'databasePath'>): Promise<TestApp>;
  /** stops `t`'s app and closes its connections to the database, as a process that exits */
  stop(t: TestApp): Promise<void>;
}

export async function sharedTestDatabase(): Promise<TestDatabase> {
  if (testDatabaseKind === 'postgres') {
    const target = await freshPostgresDatabase({ migrated: true });
    // closed last (afterEach closes in reverse order): after every app built on it
    open.push({ close: () => target.drop() });
    return {
      kind: 'postgres',
      env: { DATABASE_URL: target.url },
      build: (options = {}) => postgresTestApp(target.url, options, async () => undefined),
      stop: (t) => closers.get(t.app)!(),
    };
  }
  const databasePath = tempDatabasePath();
  open.push({ close: async () => fs.rmSync(path.dirname(databasePath), { recursive: true, force: true }) });
  return {
    kind: 'sqlite',
    env: { DATABASE_PATH: databasePath },
    build: (options = {}) => buildTestApp({ ...options, databasePath }),
    async stop(t) {
      await t.app.close();
      t.database.close();
    },
  };
}

/**
 * Options for a first app (through any scenario helper that passes them to buildTestApp) that another can later be
 * built beside with buildTestAppBeside: a database file on SQLite; nothing on PostgreSQL, where each test's
 * database already is one a second app can open.
 */
export function sharableDatabase(): { databasePath?: string } {
  return testDatabaseKind === 'postgres' ? {} : { databasePath: tempDatabasePath() };
}

/**
 * Another app on the database of `t`, whichever it is: a second instance beside it, or the same one after a restart
 * (stop `t.app` first). On SQLite `t` must have been built on a file (sharableDatabase()). Closed after the test.
 */
export async function buildTestAppBeside(t: TestApp, options: Omit<BuildTestAppOptions, 'databasePath' | 'open'> = {}): Promise<TestApp> {
  if (t.config.postgres) return postgresTestApp(t.config.postgres.url, options, async () => undefined);
  const databasePath = t.database.sqlite.name;
  if (databasePath === ':memory:') throw new Error('buildTestAppBeside needs the first app built on a file: pass it sharableDatabase()');
  return buildTestApp({ ...options, databasePath });
}

export const handlerBody = (over: Record<string, unknown> = {}) => ({
  name: '李明',
  phone: '13912345678',
  teamId: 'T01',
  teamName: '业扩一班',
  role: 'handler',
  ...over,
});

export const applicationBody = (over: Record<string, unknown> = {}) => ({
  accountNo: '5300123456',
  customerName: '玉溪某某食品有限公司',
  processCode: 'hv_single',
  capacityKva: 630,
  address: '红塔区玉兴路 18 号',
  phone: '13800001111',
  queryCode: '482913',
  requestedConnectDate: '2027-03-01',
  acceptedAt: '2026-11-20T09:00:00+08:00',
  status: 'active',
  ...over,
});
