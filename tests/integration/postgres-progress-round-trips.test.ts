// On PostgreSQL a customer's progress read costs one database round trip: the statements the pool's connections
// execute are counted (observed, not mocked) while the applications module reads one application's view, an account's
// views, and a view whose stored plan is from an earlier day (computed in memory).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { openPostgres, type PostgresDatabase } from '../../db/postgres/client.ts';
import { createPostgresStores } from '../../db/postgres/stores.ts';
import { createChangeFlow } from '../../server/applications/change-flow.ts';
import { createIngestService, queryCodeHmac } from '../../server/applications/ingest.ts';
import { createProgressViews, type ProgressViews } from '../../server/applications/progress-views.ts';
import { ManualClock } from '../../server/shared/clock.ts';
import type { ServiceContext } from '../../server/shared/context.ts';
import { createLearntDurations } from '../../server/applications/learnt-durations.ts';
import { loadReferenceData } from '../../server/shared/reference-data.ts';
import { applicationBody, DEFAULT_NOW, handlerBody, testConfig } from '../support/app.ts';
import { freshPostgresDatabase } from '../support/postgres.ts';

const config = testConfig();
const reference = loadReferenceData(config);
const NO = 'YX2026-0301';
const ACCOUNT = '5300999002';
const QUERY_CODE = '482913';

/** Counts every statement the pool's connections execute, whoever runs it (drizzle, a transaction, pool.query). */
function countStatements(pool: pg.Pool): { readonly count: number; reset(): void } {
  let count = 0;
  const observed = new WeakSet<pg.PoolClient>();
  pool.on('acquire', (client) => {
    if (observed.has(client)) return;
    observed.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      count++;
      return query(...args);
    };
  });
  return {
    get count() {
      return count;
    },
    reset: () => void (count = 0),
  };
}

describe('a progress read on PostgreSQL', () => {
  let target: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let database: PostgresDatabase;
  let clock: ManualClock;
  let views: ProgressViews;
  let statements: ReturnType<typeof countStatements>;

  beforeAll(async () => {
    target = await freshPostgresDatabase();
    database = await openPostgres(target.url);
    statements = countStatements(database.pool);
    const { stores, transact } = createPostgresStores(database);
    clock = new ManualClock(DEFAULT_NOW);
    const ctx: ServiceContext = {
      catalog: reference.catalog,
      calendar: reference.calendar,
      learnt: createLearntDurations(),
      clock,
      timeZone: config.timeZone,
      secret: config.secret,
    };
    const ingest = createIngestService(ctx, stores, createChangeFlow(ctx, transact));
    await ingest.upsertHandler('H301', handlerBody() as never);
    await ingest.upsertApplication(NO, applicationBody({ accountNo: ACCOUNT, queryCode: QUERY_CODE, processCode: 'hv_single' }) as never);
    await ingest.upsertApplication('YX2026-0302', applicationBody({ accountNo: ACCOUNT, queryCode: QUERY_CODE, processCode: 'lv_business' }) as never);
    const at = new Date(DEFAULT_NOW - 86_400_000).toISOString();
    expect((await ingest.ingestEvents([{ eventId: 'R1', applicationNo: NO, stepCode: 'accept', type: 'step_started', at, handlerId: 'H301' }])).accepted).toBe(1);
    views = createProgressViews(ctx, stores.applications);
  });
  afterAll(async () => {
    await database.close();
    await target.drop();
  });

  it("one application's view is one statement", async () => {
    statements.reset();
    const view = await views.customerView(NO);
    expect(statements.count).toBe(1);
    expect(view).toMatchObject({ applicationNo: NO, currentStep: { code: 'accept', status: 'in_progress', handler: { phone: '13912345678' } } });
  });

  it("an account's views (the query with the account number and query code) are one statement", async () => {
    statements.reset();
    const found = await views.customerViewsOfAccount(ACCOUNT, queryCodeHmac(config.secret, ACCOUNT, QUERY_CODE));
    expect(statements.count).toBe(1);
    expect(found.map((v) => v.applicationNo).sort()).toEqual([NO, 'YX2026-0302']);
  });

  it('a view whose stored plan is from an earlier day is still one statement: the plan of the day is made in memory', async () => {
    clock.set(DEFAULT_NOW + 2 * 86_400_000);
    statements.reset();
    const view = await views.customerView(NO);
    expect(statements.count).toBe(1);
    expect(view!.currentStep!.overdue).toBe(true);
  });
});
