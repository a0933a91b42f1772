// On PostgreSQL a customer's progress read costs one database round trip: the app runs on a PostgreSQL backend and the
// statements the pool's connections execute are counted (observed, not mocked) while a customer's
// GET /api/v1/progress/:applicationNo is served, for a plan of today and for a stored plan of an earlier day (the
// plan of the day is made in memory), and while the account's query lists its applications.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { openPostgresBackend } from '../../db/postgres/backend.ts';
import { buildApp, type JiedianApp } from '../../server/app.ts';
import { ManualClock } from '../../server/shared/clock.ts';
import { applicationBody, DEFAULT_NOW, handlerBody, SYNC_TOKEN, testConfig } from '../support/app.ts';
import { freshPostgresDatabase } from '../support/postgres.ts';

const NO = 'YX2026-0301';
const ACCOUNT = '5300999002';
const QUERY_CODE = '482913';
const sync = { authorization: `Bearer ${SYNC_TOKEN}` };

/** Every statement the pool's connections execute, whoever runs it (drizzle, a unit of work, pool.query). */
function observeStatements(pool: pg.Pool): { statements: string[] } {
  const seen = { statements: [] as string[] };
  const observed = new WeakSet<pg.PoolClient>();
  pool.on('acquire', (client) => {
    if (observed.has(client)) return;
    observed.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const first = args[0];
      seen.statements.push(typeof first === 'string' ? first : String((first as { text?: string }).text));
      return query(...args);
    };
  });
  return seen;
}

describe('a customer progress read on PostgreSQL', () => {
  const cleanups: (() => Promise<void>)[] = [];
  let app: JiedianApp;
  let clock: ManualClock;
  let observed: { statements: string[] };
  let viewToken: string;

  /** The statements executed while `request` is served. */
  async function statementsOf<T>(request: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
    const before = observed.statements.length;
    const result = await request();
    return { result, statements: observed.statements.slice(before) };
  }

  beforeAll(async () => {
    const target = await freshPostgresDatabase();
    cleanups.push(() => target.drop());
    const backend = await openPostgresBackend({ url: target.url, leaseRetryMs: 100 });
    cleanups.push(() => backend.close());
    observed = observeStatements(backend.database.pool);
    clock = new ManualClock(DEFAULT_NOW);
    app = await buildApp({ config: testConfig({ DATABASE_URL: target.url }), backend, clock, logger: false, startSweeper: false, startDispatcher: false });
    cleanups.push(() => app.close());
    await app.ready();
    const put = async (url: string, payload: object) => expect((await app.inject({ method: 'PUT', url, headers: sync, payload })).statusCode).toBeLessThan(300);
    await put('/api/v1/sync/handlers/H301', handlerBody());
    await put(`/api/v1/sync/applications/${NO}`, applicationBody({ accountNo: ACCOUNT, queryCode: QUERY_CODE }));
    await put('/api/v1/sync/applications/YX2026-0302', applicationBody({ accountNo: ACCOUNT, queryCode: QUERY_CODE, processCode: 'lv_business' }));
    const at = '2026-11-23T09:00:00+08:00';
    const events = await app.inject({ method: 'POST', url: '/api/v1/sync/events', headers: sync, payload: { events: [{ eventId: 'R1', applicationNo: NO, stepCode: 'accept', type: 'step_started', at, handlerId: 'H301' }] } });
    expect(events.json()).toMatchObject({ accepted: 1 });
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("the account's query (account number and query code) reads its applications' views in one statement", async () => {
    const { result, statements } = await statementsOf(() => app.inject({ method: 'POST', url: '/api/v1/progress/query', payload: { accountNo: ACCOUNT, queryCode: QUERY_CODE } }));
    expect(result.statusCode, result.body).toBe(200);
    viewToken = result.json().viewToken;
    expect(result.json().applications.map((a: { applicationNo: string }) => a.applicationNo).sort()).toEqual([NO, 'YX2026-0302']);
    // the shared wrong-code limit is asked first (limit_attempts, PostgreSQL's AttemptLog) and told of the right code
    expect(statements.filter((s) => s.includes('progress_views'))).toHaveLength(1);
    expect(statements.filter((s) => !s.includes('limit_attempts'))).toHaveLength(1);
  });

  it('GET /api/v1/progress/:applicationNo costs one round trip', async () => {
    const { result, statements } = await statementsOf(() => app.inject({ method: 'GET', url: `/api/v1/progress/${NO}`, headers: { authorization: `Bearer ${viewToken}` } }));
    expect(result.statusCode, result.body).toBe(200);
    expect(result.json().application).toMatchObject({ applicationNo: NO, currentStep: { code: 'accept', status: 'in_progress', handler: { phone: '13912345678' } } });
    expect(statements).toHaveLength(1);
    expect(statements[0]).toContain('progress_views');
  });

  it('a stored plan of an earlier day costs no more: the plan of the day is made in memory', async () => {
    clock.set(DEFAULT_NOW + 2 * 86_400_000);
    const query = await app.inject({ method: 'POST', url: '/api/v1/progress/query', payload: { accountNo: ACCOUNT, queryCode: QUERY_CODE } });
    viewToken = query.json().viewToken;
    const { result, statements } = await statementsOf(() => app.inject({ method: 'GET', url: `/api/v1/progress/${NO}`, headers: { authorization: `Bearer ${viewToken}` } }));
    expect(result.statusCode, result.body).toBe(200);
    expect(result.json().application.currentStep.overdue).toBe(true);
    expect(statements).toHaveLength(1);
  });
});
