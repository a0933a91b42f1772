// Builds the real app on a fresh SQLite database (':memory:' or a temp file) for one test.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { buildApp, type AppDeps, type JiedianApp } from '../../server/app.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { createOutboxStore, type OutboxStore } from '../../db/outbox-store.ts';
import { openDatabase, type Database_, type OpenOptions } from '../../db/client.ts';
import { ManualClock } from '../../server/services/clock.ts';

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
}

const open: TestApp[] = [];
afterEach(async () => {
  while (open.length) {
    const t = open.pop()!;
    await t.app.close();
    t.database.close();
  }
});

export function tempDatabasePath(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiedian-test-'));
  return path.join(dir, 'jiedian.db');
}

export async function buildTestApp(
  options: { env?: Record<string, string>; now?: number; databasePath?: string; open?: OpenOptions; deps?: Partial<AppDeps> } = {},
): Promise<TestApp> {
  const config = testConfig(options.env);
  const database = openDatabase(options.databasePath ?? ':memory:', options.open);
  const clock = new ManualClock(options.now ?? DEFAULT_NOW);
  const app = await buildApp({ config, database, clock, ...options.deps });
  await app.ready();
  const t = { app, database, clock, config, sync: { authorization: `Bearer ${SYNC_TOKEN}` }, outbox: createOutboxStore(database.db) };
  open.push(t);
  return t;
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
