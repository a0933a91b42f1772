// Reads never write; the plan refresh job on the sweeper's timer stores what a read of an out-of-date plan shows.
//
// Calendar facts (Asia/Shanghai, 2026): 11-24 is a Tuesday, 11-28/29 a weekend, no holidays in late November.
// lv_resident: accept, survey (1 workday), connect (2 workdays).
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { applicationBody, buildTestApp, handlerBody, sharedTestDatabase, type TestApp, type TestDatabase } from '../support/app.ts';
import { databaseSnapshot } from '../support/db-snapshot.ts';
import { outboxOf } from '../support/notices.ts';
import type { AppDeps } from '../../server/app.ts';
import type { RefreshChunk } from '../../server/applications/replanning.ts';
import type { ProgressView } from '../../server/web/shared/contract.ts';

const at = (local: string) => Date.parse(`${local}+08:00`);
const ACCOUNT = '5300123456';
const CODE = '482913';

async function sync(t: TestApp, method: 'put' | 'post', url: string, body: object) {
  const res = await supertest(t.app.server)[method](`/api/v1/sync${url}`).set(t.sync).send(body);
  expect(res.status, res.text).toBeLessThan(300);
}

/** A residential application whose survey started Mon 11-23 09:00 and is still running. */
async function surveying(t: TestApp, applicationNo = 'YX2026-0101') {
  await sync(t, 'put', '/handlers/H001', handlerBody());
  await sync(t, 'put', `/applications/${applicationNo}`, applicationBody({ processCode: 'lv_resident', requestedConnectDate: null }));
  await sync(t, 'post', '/events', {
    events: [
      { eventId: `${applicationNo}-1`, applicationNo, stepCode: 'accept', type: 'step_started', at: '2026-11-20T09:00:00+08:00', handlerId: 'H001' },
      { eventId: `${applicationNo}-2`, applicationNo, stepCode: 'accept', type: 'step_completed', at: '2026-11-20T10:00:00+08:00', handlerId: 'H001' },
      { eventId: `${applicationNo}-3`, applicationNo, stepCode: 'survey', type: 'step_started', at: '2026-11-23T09:00:00+08:00', handlerId: 'H001' },
    ],
  });
}

async function viewToken(t: TestApp): Promise<string> {
  const res = await supertest(t.app.server).post('/api/v1/progress/query').send({ accountNo: ACCOUNT, queryCode: CODE });
  expect(res.status, res.text).toBe(200);
  return res.body.viewToken as string;
}

async function read(t: TestApp, applicationNo: string, token: string) {
  const res = await supertest(t.app.server).get(`/api/v1/progress/${applicationNo}`).set('authorization', `Bearer ${token}`);
  expect(res.status, res.text).toBe(200);
  return res.body.application as ProgressView;
}

/** The stored plan, formatted as the view shows it. */
async function storedPlan(t: TestApp, applicationNo: string) {
  const [application] = (await t.sql('SELECT planned_on, expected_connect_date, updated_at FROM applications WHERE application_no = ?', applicationNo)) as {
    planned_on: string;
    expected_connect_date: string;
    updated_at: number | string;
  }[];
  const rows = (await t.sql('SELECT step_code, planned_start, planned_end, due_at FROM application_steps WHERE application_no = ? ORDER BY position', applicationNo)) as {
    step_code: string;
    planned_start: string | null;
    planned_end: string | null;
    due_at: number | string | null;
  }[];
  // PostgreSQL gives the epoch-ms bigints as text
  const steps = rows.map((s) => ({ ...s, due_at: s.due_at === null ? null : Number(s.due_at) }));
  return {
    plannedOn: application!.planned_on,
    updatedAt: Number(application!.updated_at),
    expectedConnectDate: application!.expected_connect_date,
    // the view shows instants to the second
    steps: steps.map((s) => ({ code: s.step_code, plannedStart: s.planned_start, plannedEnd: s.planned_end, dueAt: s.due_at === null ? null : Math.floor(s.due_at / 1000) * 1000 })),
  };
}

const shownPlan = (view: ProgressView) => ({
  expectedConnectDate: view.expectedConnectDate,
  steps: view.steps.map((s) => ({ code: s.code, plannedStart: s.plannedStart, plannedEnd: s.plannedEnd, dueAt: s.dueAt === null ? null : Date.parse(s.dueAt) })),
});

/** `on`: a database that outlives the app (a restart); a fresh one otherwise */
const build = (options: { now?: number; deps?: Partial<AppDeps> } = {}, on?: TestDatabase) =>
  (on?.build ?? buildTestApp)({ ...options, deps: { startDispatcher: false, startSweeper: false, ...options.deps } });

describe('reads never write; the plan refresh stores the plan', () => {
  it('a GET of an application planned yesterday changes no row and shows today\'s plan; the refresh then stores that plan', async () => {
    const t = await build();
    await surveying(t);
    // planned Tue 11-24: survey to end 11-24, connect 11-25 … 11-26
    expect(await storedPlan(t, 'YX2026-0101')).toMatchObject({ plannedOn: '2026-11-24', expectedConnectDate: '2026-11-26' });

    t.clock.set(at('2026-11-25T10:00:00'));
    const token = await viewToken(t);
    const before = await databaseSnapshot(t);
    const view = await read(t, 'YX2026-0101', token);
    expect(await databaseSnapshot(t)).toEqual(before);
    // survey still running on Wed 11-25: ends 11-25 at the earliest; connect 11-26 … 11-27
    expect(view.expectedConnectDate).toBe('2026-11-27');
    expect(view.steps.find((s) => s.code === 'connect')).toMatchObject({ plannedStart: '2026-11-26', plannedEnd: '2026-11-27' });
    expect(view.updatedAt).toBe('2026-11-25T10:00:00+08:00');

    expect(await t.app.applications.planRefresh.run()).toEqual({ refreshed: 1, finished: true });
    expect(await storedPlan(t, 'YX2026-0101')).toEqual({ plannedOn: '2026-11-25', updatedAt: at('2026-11-25T10:00:00'), ...shownPlan(view) });
    expect(await read(t, 'YX2026-0101', token)).toEqual(view);
  });

  it('a refresh that moves the expected date goes the way of a re-plan: the customer is told, and once a day only', async () => {
    const t = await build();
    await surveying(t);
    // the customer's notices in the order they were written
    const kinds = async () =>
      (await outboxOf(t, 'YX2026-0101')).filter((r) => r.recipientKind === 'customer' && r.status !== 'superseded').map((r) => r.noticeKind);
    // the plan and the survey's start have gone out
    await t.sql("UPDATE outbox SET status = 'sent', sent_at = created_at");
    const told = await kinds();
    // Mon 11-30: survey ends 11-30 at the earliest, connect 12-01 … 12-02: four workdays later than told (11-26)
    t.clock.set(at('2026-11-30T09:00:00'));
    await t.app.timeLimits.sweeper.sweep();
    expect(await storedPlan(t, 'YX2026-0101')).toMatchObject({ plannedOn: '2026-11-30', expectedConnectDate: '2026-12-02' });
    expect(await kinds()).toEqual([...told, 'plan_changed']);
    // the walk of this planning day is done: a later sweep the same day re-plans nothing
    t.clock.set(at('2026-11-30T09:05:00'));
    expect(await t.app.applications.planRefresh.run()).toEqual({ refreshed: 0, finished: true });
  });

  it('after the working hours end, plans made earlier that day are refreshed: the day is over for planning', async () => {
    // survey started Tue 11-24 09:00 (1 workday): planned in working hours to end 11-24, connect 11-25 … 11-26
    const t = await build({ now: at('2026-11-24T10:00:00') });
    await sync(t, 'put', '/handlers/H001', handlerBody());
    await sync(t, 'put', '/applications/YX2026-0101', applicationBody({ processCode: 'lv_resident', requestedConnectDate: null }));
    await sync(t, 'post', '/events', {
      events: [
        { eventId: 'E1', applicationNo: 'YX2026-0101', stepCode: 'accept', type: 'step_completed', at: '2026-11-24T08:45:00+08:00', handlerId: 'H001' },
        { eventId: 'E2', applicationNo: 'YX2026-0101', stepCode: 'survey', type: 'step_started', at: '2026-11-24T09:00:00+08:00', handlerId: 'H001' },
      ],
    });
    expect(await storedPlan(t, 'YX2026-0101')).toMatchObject({ plannedOn: '2026-11-24', expectedConnectDate: '2026-11-26' });

    // 17:29, still working hours (08:30-17:30): the plan is current, nothing to refresh
    t.clock.set(at('2026-11-24T17:29:00'));
    expect((await read(t, 'YX2026-0101', await viewToken(t))).expectedConnectDate).toBe('2026-11-26');
    expect(await t.app.applications.planRefresh.run()).toEqual({ refreshed: 0, finished: true });

    // 17:31: nothing more happens today, so the survey ends tomorrow at the earliest and connect follows it
    t.clock.set(at('2026-11-24T17:31:00'));
    const token = await viewToken(t);
    const before = await databaseSnapshot(t);
    const evening = await read(t, 'YX2026-0101', token);
    expect(await databaseSnapshot(t)).toEqual(before);
    expect(evening.expectedConnectDate).toBe('2026-11-27');
    expect(evening.steps.find((s) => s.code === 'survey')).toMatchObject({ plannedEnd: '2026-11-25', dueAt: '2026-11-24T23:59:59+08:00' });
    expect(await t.app.applications.planRefresh.run()).toEqual({ refreshed: 1, finished: true });
    expect(await storedPlan(t, 'YX2026-0101')).toEqual({ plannedOn: '2026-11-24', updatedAt: at('2026-11-24T17:31:00'), ...shownPlan(evening) });
  });

  it('the refresh resumes where it stopped after a restart: what was refreshed is not refreshed again', async () => {
    const database = await sharedTestDatabase();
    const numbers = ['YX2026-0101', 'YX2026-0102', 'YX2026-0103', 'YX2026-0104', 'YX2026-0105', 'YX2026-0106'];
    let t = await build({}, database);
    for (const applicationNo of numbers) await surveying(t, applicationNo);
    await database.stop(t);

    // the next day, one application per chunk; the process dies after the third chunk
    let chunks = 0;
    const crash = (chunk: RefreshChunk) => {
      if (chunk.refreshed > 0 && ++chunks === 3) throw new Error('killed');
    };
    t = await build({ now: at('2026-11-25T00:05:00'), deps: { planRefresh: { chunkMs: 0, scanRows: 4, onChunk: crash } } }, database);
    await expect(t.app.applications.planRefresh.run()).rejects.toThrow('killed');
    const plans = (of: string[]) => Promise.all(of.map((n) => storedPlan(t, n)));
    const plannedOn = async () => (await plans(numbers)).map((p) => p.plannedOn);
    expect(await plannedOn()).toEqual(['2026-11-25', '2026-11-25', '2026-11-25', '2026-11-24', '2026-11-24', '2026-11-24']);
    const firstThree = await plans(numbers.slice(0, 3));
    await database.stop(t);

    // a new process later that night: it re-plans the other three only
    const seen: RefreshChunk[] = [];
    t = await build({ now: at('2026-11-25T00:20:00'), deps: { planRefresh: { chunkMs: 0, scanRows: 4, onChunk: (c) => seen.push(c) } } }, database);
    expect(await t.app.applications.planRefresh.run()).toEqual({ refreshed: 3, finished: true });
    expect(await plannedOn()).toEqual(numbers.map(() => '2026-11-25'));
    expect(await plans(numbers.slice(0, 3))).toEqual(firstThree);
    expect((await plans(numbers.slice(3))).map((p) => p.updatedAt)).toEqual([0, 0, 0].map(() => at('2026-11-25T00:20:00')));
    expect(seen.reduce((sum, c) => sum + c.refreshed, 0)).toBe(3);
  });
});
