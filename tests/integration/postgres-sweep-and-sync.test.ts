// The SLA sweep and a sync batch at once on PostgreSQL, on an application whose step is overdue and is synced as done
// late: the sweep raises the step's overdue alert, the sync records the same alert (for statistics) and changes the
// step's row. Both must commit. They did not when the sweep wrote the alert before it waited for the step's row: the
// sync, holding the row, then waited to insert the same alert, and PostgreSQL aborted one of them as a deadlock (the
// `bench -- ingest --db postgres` run answered a batch with a 500 once the sync's tries ran out). Here every unit of
// work has one try, so a deadlock fails the test at once instead of being retried away.
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgresBackend } from '../../db/postgres/backend.ts';
import { createPostgresStores } from '../../db/postgres/stores.ts';
import { buildApp } from '../../server/app.ts';
import { ManualClock } from '../../server/shared/clock.ts';
import type { Stores, Transact } from '../../server/stores.ts';
import { SYNC_TOKEN, testConfig, type TestApp } from '../support/app.ts';
import { completed, postEvents, putApplication, putHandler, started } from '../support/notices.ts';
import { staffOf } from '../support/live.ts';
import { freshPostgresDatabase, untilWaitingForALock } from '../support/postgres.ts';

const NO = 'YX2026-0001';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/**
 * The app on a PostgreSQL database of its own, its units of work tried once each; `holdSync.reached` resolves when a
 * sync of events is about to record an alert, which waits for `holdSync.release()`.
 */
async function appOnPostgres() {
  const target = await freshPostgresDatabase();
  cleanups.push(() => target.drop());
  // a deadlock is found after deadlock_timeout (1 s by default); this database's sessions look sooner
  const admin = new pg.Client({ connectionString: target.url });
  await admin.connect();
  await admin.query(`ALTER DATABASE ${new URL(target.url).pathname.slice(1)} SET deadlock_timeout = '100ms'`);
  await admin.end();
  const backend = await openPostgresBackend({ url: target.url });
  const { transact: tryOnce } = createPostgresStores(backend.database, { attempts: 1 });

  let reached!: () => void;
  let release!: () => void;
  const holdSync = { reached: new Promise<void>((resolve) => (reached = resolve)), release: () => release(), armed: false };
  const released = new Promise<void>((resolve) => (release = resolve));
  const transact: Transact = (work) =>
    tryOnce((stores) => {
      let syncingEvents = false;
      const held: Stores = {
        ...stores,
        applications: {
          ...stores.applications,
          insertEvent: async (row) => {
            syncingEvents = true;
            return stores.applications.insertEvent(row);
          },
        },
        alerts: {
          ...stores.alerts,
          insert: async (row) => {
            if (syncingEvents && holdSync.armed) {
              holdSync.armed = false;
              reached();
              await released;
            }
            return stores.alerts.insert(row);
          },
        },
      };
      return work(held);
    });

  const clock = new ManualClock(Date.parse('2026-11-24T09:00:00+08:00'));
  const config = testConfig({ DATABASE_URL: target.url });
  const app = await buildApp({ config, backend: { ...backend, transact }, clock, startSweeper: false, startDispatcher: false });
  cleanups.push(async () => {
    await app.close();
    await backend.close();
  });
  await app.ready();
  const t = { app, clock, config, sync: { authorization: `Bearer ${SYNC_TOKEN}` } } as TestApp;
  return { t, pool: backend.database.pool, holdSync };
}

describe('the SLA sweep and a sync batch on the same overdue step at once, on PostgreSQL', () => {
  it('both commit, without a deadlock: the sync is answered 200 and the step has its one overdue alert', async () => {
    const { t, pool, holdSync } = await appOnPostgres();
    for (const [id, body] of Object.entries(staffOf)) await putHandler(t, id, body);
    // hv_single in design review since 11-24 09:30: due 11-26 23:59
    await putApplication(t, NO, { requestedConnectDate: '2027-06-30', acceptedAt: '2026-11-20T09:00:00+08:00' });
    await postEvents(t, [
      started(NO, 'accept', '2026-11-20T09:00:00+08:00'),
      completed(NO, 'accept', '2026-11-20T10:00:00+08:00'),
      started(NO, 'survey', '2026-11-20T10:30:00+08:00'),
      completed(NO, 'survey', '2026-11-20T12:00:00+08:00'),
      started(NO, 'plan_reply', '2026-11-20T14:00:00+08:00'),
      completed(NO, 'plan_reply', '2026-11-20T16:00:00+08:00'),
      started(NO, 'design_review', '2026-11-24T09:30:00+08:00'),
    ]);
    t.clock.set(Date.parse('2026-11-27T10:00:00+08:00'));

    // the sync of the late completion stops just before it records the overdue alert, holding the step's row
    holdSync.armed = true;
    const sync = t.app.inject({ method: 'POST', url: '/api/v1/sync/events', headers: t.sync, payload: { events: [completed(NO, 'design_review', '2026-11-27T09:00:00+08:00')] } });
    await holdSync.reached;
    // the sweep runs until it waits for a lock the sync holds (or finishes), then the sync goes on
    const sweep = t.app.timeLimits.sla.sweep();
    await Promise.race([sweep.catch(() => undefined), untilWaitingForALock(pool)]);
    holdSync.release();

    const [reply, swept] = await Promise.all([sync, sweep]);
    expect(reply.statusCode, reply.body).toBe(200);
    expect(reply.json()).toMatchObject({ accepted: 1, rejected: [] });
    expect(swept.overdue).toBeLessThanOrEqual(1);
    const alerts = await t.app.stores.alerts.ofApplication(NO);
    expect(alerts.map((a) => [a.stepCode, a.level])).toEqual([['design_review', 'overdue']]);
    expect((await t.app.stores.applications.step(NO, 'design_review'))?.status).toBe('done');
    // nothing is owed any more: a second sweep raises nothing
    expect(await t.app.timeLimits.sla.sweep()).toEqual({ warnings: 0, overdue: 0, applicationOverdue: 0, notified: 0 });
  });
});
