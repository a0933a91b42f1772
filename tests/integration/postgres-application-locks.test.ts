// Two units of work on one application at once on PostgreSQL (two instances, or two requests of one): a step event
// and a staff re-plan. Each reads the application and then writes its plan, so each locks the application's row
// first (applicationsForUpdate / applicationForUpdate); the second waits for the first to commit and then reads what
// it wrote. Without the lock, the event's re-plan, made from the requested date it read before the re-plan committed,
// would be written over the staff's new plan.
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../../db/postgres/client.ts';
import { createPostgresStores } from '../../db/postgres/stores.ts';
import { createChangeFlow } from '../../server/applications/change-flow.ts';
import { createIngestService } from '../../server/applications/ingest.ts';
import { createReplanning } from '../../server/applications/replanning.ts';
import { ManualClock } from '../../server/shared/clock.ts';
import type { ServiceContext } from '../../server/shared/context.ts';
import { createLearntDurations } from '../../server/applications/learnt-durations.ts';
import { loadReferenceData } from '../../server/shared/reference-data.ts';
import type { Stores, Transact } from '../../server/stores.ts';
import { applicationBody, DEFAULT_NOW, testConfig } from '../support/app.ts';
import { freshPostgresDatabase, untilWaitingForALock } from '../support/postgres.ts';
import { STORE_CONTRACT_ROWS } from '../support/store-contract.ts';

const NO = 'YX2026-0100';
const started = { eventId: 'S1', applicationNo: NO, stepCode: 'accept', type: 'step_started', at: '2026-11-20T09:30:00+08:00', handlerId: 'H001' };
const completed = { eventId: 'S2', applicationNo: NO, stepCode: 'accept', type: 'step_completed', at: '2026-11-24T09:00:00+08:00', handlerId: 'H001' };
const NEW_REQUESTED_DATE = '2027-01-15';

const config = testConfig();
const reference = loadReferenceData(config);
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/**
 * An application on a database of its own, planned and with its first step under way, and the applications module's
 * ingest and staff re-plan over it; `wrap` sees the stores each of their units of work is handed.
 */
async function applicationOnPostgres(wrap: { ingest?: (stores: Stores) => Stores; replanning?: (stores: Stores) => Stores } = {}) {
  const target = await freshPostgresDatabase();
  const database = await openPostgres(target.url);
  cleanups.push(async () => {
    await database.close();
    await target.drop();
  });
  await database.pool.query(STORE_CONTRACT_ROWS);
  const { stores, transact } = createPostgresStores(database);
  const ctx: ServiceContext = {
    catalog: reference.catalog,
    calendar: reference.calendar,
    learnt: createLearntDurations(),
    clock: new ManualClock(DEFAULT_NOW),
    timeZone: config.timeZone,
    secret: config.secret,
  };
  const wrapped = (wrapStores?: (stores: Stores) => Stores): Transact => (wrapStores ? (work) => transact((s) => work(wrapStores(s))) : transact);
  const ingest = createIngestService(ctx, stores, createChangeFlow(ctx, wrapped(wrap.ingest)));
  const replanning = createReplanning({ ctx, stores, flow: createChangeFlow(ctx, wrapped(wrap.replanning)), checkRequestedDate: ingest.checkRequestedDate });
  const setup = createIngestService(ctx, stores, createChangeFlow(ctx, transact));
  await setup.upsertApplication(NO, { ...applicationBody({ processCode: 'hv_single', requestedConnectDate: null }), status: 'active' });
  expect((await setup.ingestEvents([started])).accepted).toBe(1);
  return { database, stores, ingest, replanning };
}

/** The application's row and its steps' rows, as they are now. */
async function state(stores: Stores) {
  return { application: await stores.applications.application(NO), steps: await stores.applications.steps(NO) };
}

describe('a step event and a staff re-plan of one application at once, on PostgreSQL', () => {
  it('both commit, and the application ends as if one had run after the other', async () => {
    const oneAfterTheOther = await applicationOnPostgres();
    expect((await oneAfterTheOther.ingest.ingestEvents([completed])).accepted).toBe(1);
    await oneAfterTheOther.replanning.replanWithRequestedDate(NO, NEW_REQUESTED_DATE);
    const expected = await state(oneAfterTheOther.stores);
    expect(expected.application).toMatchObject({ requestedConnectDate: NEW_REQUESTED_DATE, planBasis: 'requested_date' });
    expect(expected.steps[0]).toMatchObject({ stepCode: 'accept', status: 'done' });

    // The event's unit of work stops once it has read what its re-plan is made from, before it writes the plan, until
    // the staff re-plan has either finished or is waiting for a lock the event holds.
    let paused!: () => void;
    const eventPaused = new Promise<void>((resolve) => (paused = resolve));
    let resume!: () => void;
    const eventResumes = new Promise<void>((resolve) => (resume = resolve));
    let stopped = false;
    const stopBeforeThePlan = (stores: Stores): Stores => {
      const hold = async () => {
        if (stopped) return;
        stopped = true;
        paused();
        await eventResumes;
      };
      const applications = {
        ...stores.applications,
        updateStepPlan: async (row: Parameters<Stores['applications']['updateStepPlan']>[0]) => {
          await hold();
          return stores.applications.updateStepPlan(row);
        },
        updateApplicationPlan: async (row: Parameters<Stores['applications']['updateApplicationPlan']>[0]) => {
          await hold();
          return stores.applications.updateApplicationPlan(row);
        },
      };
      return { ...stores, applications };
    };
    const atOnce = await applicationOnPostgres({ ingest: stopBeforeThePlan });

    const event = atOnce.ingest.ingestEvents([completed]);
    await eventPaused;
    const replan = atOnce.replanning.replanWithRequestedDate(NO, NEW_REQUESTED_DATE);
    await Promise.race([replan.catch(() => undefined), untilWaitingForALock(atOnce.database.pool)]);
    resume();
    const [result] = await Promise.all([event, replan]);
    expect(result.accepted).toBe(1);

    expect(await state(atOnce.stores)).toEqual(expected);
  });
});
