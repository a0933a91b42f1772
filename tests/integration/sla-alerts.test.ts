// Time limits end to end on a real database (SQLite, or PostgreSQL in the postgres project) with an injected clock: warnings and overdue alerts raised exactly once,
// working-time texts, holidays, explanations, the team lead's view, the application limit and the statistics.
import { describe, expect, it } from 'vitest';
import { buildTestApp, sharedTestDatabase, type TestApp } from '../support/app.ts';
import { completed, outboxOf, postEvents, putApplication, staffHeaders, started } from '../support/notices.ts';
import { listen, LiveClient, signIn } from '../support/live.ts';
import { applicationLimitUsedUp, inDesignReview, syncStaff } from '../support/sla.ts';

const at = (iso: string) => Date.parse(iso);
const NO = 'YX2026-0001';

/** epoch ms as a number, null as null (PostgreSQL gives its bigints as text) */
const ms = (value: unknown) => (value === null ? null : Number(value));
/** the alerts' rows, `live` as 1/0 on either database (PostgreSQL gives a boolean) */
const alertRows = async (t: TestApp) =>
  (await t.sql('SELECT step_code, level, live, raised_at, notify_at, notified_at FROM alerts ORDER BY raised_at, level')).map((a) => ({
    step_code: a.step_code as string | null,
    level: a.level as string,
    live: Number(a.live),
    raised_at: ms(a.raised_at),
    notify_at: ms(a.notify_at),
    notified_at: ms(a.notified_at),
  }));
const slaTexts = async (t: TestApp, kind: string) => (await outboxOf(t, NO)).filter((r) => r.noticeKind === kind).map((r) => ({ to: r.recipientRef, text: r.text }));
const step = async (t: TestApp, stepCode: string) => {
  const [row] = await t.sql('SELECT due_at, warn_at, alert_at FROM application_steps WHERE application_no = ? AND step_code = ?', NO, stepCode);
  return { due_at: ms(row!.due_at), warn_at: ms(row!.warn_at), alert_at: ms(row!.alert_at) };
};

describe('the SLA sweep', () => {
  it('raises the warning and the overdue alert exactly once across two sweeps and a restart, texting only in working time', async () => {
    const database = await sharedTestDatabase();
    let t = await database.build({ now: at('2026-11-24T09:00:00+08:00'), deps: { startSweeper: false, startDispatcher: false } });
    await syncStaff(t);
    await inDesignReview(t, NO, '2026-11-24T09:30:00+08:00');
    // due at the end of its 3rd workday; warned when one working day is left
    expect(await step(t, 'design_review')).toEqual({ due_at: at('2026-11-26T23:59:59.999+08:00'), warn_at: at('2026-11-26T08:30:00+08:00'), alert_at: at('2026-11-26T08:30:00+08:00') });
    const base = await listen(t);
    // the handler's staff page, signed in when each alert comes (sessions last 12 hours)
    const follow = async () => {
      const client = await LiveClient.open(base);
      await client.subscribeStaff((await signIn(t, base, 'H001')).token);
      return client;
    };

    t.clock.set(at('2026-11-26T08:29:59+08:00'));
    let live = await follow();
    expect(await t.app.timeLimits.sla.sweep()).toEqual({ warnings: 0, overdue: 0, applicationOverdue: 0, notified: 0 });
    t.clock.set(at('2026-11-26T08:30:00+08:00'));
    expect(await t.app.timeLimits.sla.sweep()).toEqual({ warnings: 1, overdue: 0, applicationOverdue: 0, notified: 1 });
    // two sweeps at once (the timer and `sla:sweep` beside it) and a later one raise nothing more
    await Promise.all([t.app.timeLimits.sla.sweep(), t.app.timeLimits.sweeper.sweep()]);
    t.clock.set(at('2026-11-26T15:00:00+08:00'));
    await t.app.timeLimits.sweeper.sweep();
    const warning = await live.next((f) => f.type === 'alert' && f.alert.level === 'warning', 'warning alert');
    expect(warning.frame.alert).toMatchObject({ applicationNo: NO, stepCode: 'design_review', handlerId: 'H001', level: 'warning', dueAt: '2026-11-26T23:59:59+08:00', raisedAt: '2026-11-26T08:30:00+08:00', explanation: null });
    expect(await slaTexts(t, 'sla_warning')).toEqual([{ to: 'H001', text: '【接电助手】超时预警：YX2026-0001“设计文件审核”环节将于11月26日（周四）23:59到期，请抓紧办理。' }]);

    // overdue at midnight: live at once, the texts wait for the working morning
    t.clock.set(at('2026-11-27T00:00:30+08:00'));
    live = await follow();
    expect(await t.app.timeLimits.sla.sweep()).toMatchObject({ warnings: 0, overdue: 1, notified: 0 });
    const overdue = await live.next((f) => f.type === 'alert' && f.alert.level === 'overdue', 'overdue alert');
    expect(overdue.frame.alert).toMatchObject({ level: 'overdue', raisedAt: '2026-11-27T00:00:30+08:00' });
    expect(await slaTexts(t, 'sla_overdue')).toEqual([]);
    expect((await step(t, 'design_review')).alert_at).toBeNull();

    // restart on the same database
    await database.stop(t);
    t = await database.build({ now: at('2026-11-27T08:29:00+08:00'), deps: { startSweeper: false, startDispatcher: false } });
    expect(await t.app.timeLimits.sla.sweep()).toEqual({ warnings: 0, overdue: 0, applicationOverdue: 0, notified: 0 });
    t.clock.set(at('2026-11-27T08:30:00+08:00'));
    expect(await t.app.timeLimits.sla.sweep()).toEqual({ warnings: 0, overdue: 0, applicationOverdue: 0, notified: 1 });
    await t.app.timeLimits.sla.sweep();
    // a re-plan (any sync) does not make the occurrence owe its alerts again
    await putApplication(t, NO, { requestedConnectDate: '2027-05-31', acceptedAt: '2026-11-20T09:00:00+08:00' });
    await t.app.timeLimits.sla.sweep();
    const text = '【接电助手】超时警示：YX2026-0001“设计文件审核”环节已超期，到期时间为11月26日（周四）23:59，请尽快办结并在工作台提交情况说明。';
    expect(await slaTexts(t, 'sla_overdue')).toEqual([
      { to: 'H001', text },
      { to: 'L001', text },
    ]);
    expect((await alertRows(t)).map((a) => [a.level, a.live, a.raised_at, a.notified_at])).toEqual([
      ['warning', 1, at('2026-11-26T08:30:00+08:00'), at('2026-11-26T08:30:00+08:00')],
      ['overdue', 1, at('2026-11-27T00:00:30+08:00'), at('2026-11-27T08:30:00+08:00')],
    ]);
  });

  it('never texts a held warning once its step is past due or has its overdue alert: only the overdue text goes out', async () => {
    for (const midnightSweep of [true, false]) {
      const t = await buildTestApp({ now: at('2026-11-24T09:00:00+08:00'), deps: { startSweeper: false, startDispatcher: false } });
      await syncStaff(t);
      await inDesignReview(t, NO, '2026-11-24T09:30:00+08:00');
      // no sweep in the warning day's working hours: the warning is raised after them and held for the morning
      t.clock.set(at('2026-11-26T17:45:00+08:00'));
      expect(await t.app.timeLimits.sla.sweep()).toMatchObject({ warnings: 1, notified: 0 });
      if (midnightSweep) {
        t.clock.set(at('2026-11-27T00:00:30+08:00'));
        expect(await t.app.timeLimits.sla.sweep()).toMatchObject({ overdue: 1, notified: 0 });
      }
      t.clock.set(at('2026-11-27T08:30:00+08:00'));
      expect(await t.app.timeLimits.sla.sweep(), `midnight sweep: ${midnightSweep}`).toMatchObject({ overdue: midnightSweep ? 0 : 1, notified: 1 });
      t.clock.set(at('2026-11-27T10:00:00+08:00'));
      expect(await t.app.timeLimits.sla.sweep()).toEqual({ warnings: 0, overdue: 0, applicationOverdue: 0, notified: 0 });
      expect(await slaTexts(t, 'sla_warning')).toEqual([]);
      expect((await slaTexts(t, 'sla_overdue')).map((r) => r.to)).toEqual(['H001', 'L001']);
      // the warning is marked handled, so no later sweep picks it up again
      expect((await alertRows(t)).map((a) => [a.level, a.notified_at !== null])).toEqual([
        ['warning', true],
        ['overdue', true],
      ]);
    }
  });

  it('gives a 1-workday step started after working hours the next workday: one warning that morning, not overdue at midnight', async () => {
    const t = await buildTestApp({ now: at('2026-11-24T19:00:30+08:00'), deps: { startSweeper: false, startDispatcher: false } });
    await syncStaff(t);
    await putApplication(t, NO, { processCode: 'lv_resident', requestedConnectDate: undefined, acceptedAt: '2026-11-24T19:00:00+08:00' });
    await postEvents(t, [started(NO, 'accept', '2026-11-24T19:00:00+08:00')]);
    expect(await step(t, 'accept')).toEqual({ due_at: at('2026-11-25T23:59:59.999+08:00'), warn_at: at('2026-11-24T19:00:00+08:00'), alert_at: at('2026-11-24T19:00:00+08:00') });
    t.clock.set(at('2026-11-24T19:01:00+08:00'));
    expect(await t.app.timeLimits.sla.sweep()).toEqual({ warnings: 1, overdue: 0, applicationOverdue: 0, notified: 0 });
    t.clock.set(at('2026-11-25T00:00:30+08:00'));
    expect(await t.app.timeLimits.sla.sweep()).toEqual({ warnings: 0, overdue: 0, applicationOverdue: 0, notified: 0 });
    t.clock.set(at('2026-11-25T08:30:00+08:00'));
    expect(await t.app.timeLimits.sla.sweep()).toEqual({ warnings: 0, overdue: 0, applicationOverdue: 0, notified: 1 });
    expect(await slaTexts(t, 'sla_warning')).toEqual([{ to: 'H001', text: '【接电助手】超时预警：YX2026-0001“业务受理”环节将于11月25日（周三）23:59到期，请抓紧办理。' }]);
    expect(await slaTexts(t, 'sla_overdue')).toEqual([]);
    // overdue only at the end of that workday
    t.clock.set(at('2026-11-26T00:00:30+08:00'));
    expect(await t.app.timeLimits.sla.sweep()).toMatchObject({ overdue: 1 });
  });

  it('extends due times over holidays: a step started before National Day 2026 is not overdue during it', async () => {
    const t = await buildTestApp({ now: at('2026-09-29T09:00:00+08:00'), deps: { startSweeper: false, startDispatcher: false } });
    await syncStaff(t);
    await inDesignReview(t, NO, '2026-09-29T10:00:00+08:00', 'H001', '2026-09-28');
    // 09-29, 09-30, then 10-01…07 off: the 3rd workday is 10-08
    expect(await step(t, 'design_review')).toMatchObject({ due_at: at('2026-10-08T23:59:59.999+08:00'), warn_at: at('2026-10-08T08:30:00+08:00') });
    for (const iso of ['2026-10-01T00:00:01+08:00', '2026-10-04T12:00:00+08:00', '2026-10-07T23:59:59+08:00']) {
      t.clock.set(at(iso));
      await t.app.timeLimits.sla.sweep();
      expect(await alertRows(t), iso).toEqual([]);
    }
    t.clock.set(at('2026-10-08T08:30:00+08:00'));
    expect(await t.app.timeLimits.sla.sweep()).toMatchObject({ warnings: 1, overdue: 0 });
    t.clock.set(at('2026-10-09T00:00:00+08:00'));
    expect(await t.app.timeLimits.sla.sweep()).toMatchObject({ warnings: 0, overdue: 1 });
  });

  it('never alerts on a customer step, and stops when the step is done', async () => {
    const t = await buildTestApp({ now: at('2026-11-24T09:00:00+08:00'), deps: { startSweeper: false, startDispatcher: false } });
    await syncStaff(t);
    await inDesignReview(t, NO, '2026-11-24T09:30:00+08:00');
    await postEvents(t, [completed(NO, 'design_review', '2026-11-25T11:00:00+08:00'), started(NO, 'construction', '2026-11-25T14:00:00+08:00', 'H001')]);
    expect(await step(t, 'construction')).toEqual({ due_at: null, warn_at: null, alert_at: null });
    t.clock.set(at('2027-03-01T10:00:00+08:00'));
    expect(await t.app.timeLimits.sla.sweep()).toEqual({ warnings: 0, overdue: 0, applicationOverdue: 0, notified: 0 });
    expect(await alertRows(t)).toEqual([]);
  });
});

describe('explanations and who sees which alert', () => {
  async function twoTeamsOverdue() {
    const t = await buildTestApp({ now: at('2026-11-24T09:00:00+08:00'), deps: { startSweeper: false, startDispatcher: false } });
    await syncStaff(t);
    await inDesignReview(t, NO, '2026-11-24T09:30:00+08:00', 'H001');
    await inDesignReview(t, 'YX2026-0002', '2026-11-24T09:30:00+08:00', 'H101');
    t.clock.set(at('2026-11-27T09:00:00+08:00'));
    expect(await t.app.timeLimits.sla.sweep()).toMatchObject({ overdue: 2 });
    return t;
  }
  const queue = async (t: TestApp, handlerId: string) =>
    ((await t.app.inject({ method: 'GET', url: '/api/v1/staff/queue', headers: await staffHeaders(t, handlerId) })).json().alerts as { id: string; applicationNo: string; level: string }[]).map(
      (a) => `${a.applicationNo}:${a.level}`,
    );

  it('shows the team lead the team\'s alerts and a handler only their own', async () => {
    const t = await twoTeamsOverdue();
    expect(await queue(t, 'H001')).toEqual([`${NO}:overdue`]);
    expect(await queue(t, 'H002')).toEqual([]);
    expect(await queue(t, 'L001')).toEqual([`${NO}:overdue`]);
    expect(await queue(t, 'L101')).toEqual(['YX2026-0002:overdue']);
  });

  it('closes the queue item with an explanation kept with who and when; only the handler or their team lead may file it', async () => {
    const t = await twoTeamsOverdue();
    const [alert] = (await t.app.timeLimits.alerts.ofApplication(NO));
    const explain = async (handlerId: string, text: string) =>
      t.app.inject({ method: 'POST', url: `/api/v1/staff/alerts/${alert!.id}/explanation`, headers: await staffHeaders(t, handlerId), payload: { text } });
    expect((await explain('H101', '不是我的')).statusCode).toBe(404);
    expect((await explain('L101', '别的班组')).statusCode).toBe(404);
    expect((await explain('H002', '同班组的另一位')).statusCode).toBe(404);
    const tooLong = await explain('H001', '长'.repeat(1001));
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().code).toBe('JD_INVALID_REQUEST');
    expect(await queue(t, 'H001')).toEqual([`${NO}:overdue`]);

    t.clock.set(at('2026-11-27T10:15:00+08:00'));
    const text = '客户补充的设计文件于11月26日下午才送达，已加急审核。';
    const filed = await explain('L001', text);
    expect(filed.statusCode).toBe(200);
    expect(filed.json().alert).toMatchObject({ id: alert!.id, level: 'overdue', explanation: text, explainedAt: '2026-11-27T10:15:00+08:00', explainedBy: 'L001' });
    expect(await queue(t, 'H001')).toEqual([]);
    expect(await queue(t, 'L001')).toEqual([]);
    expect((await explain('H001', '再说明一次')).statusCode).toBe(409);
    expect((await t.app.timeLimits.alerts.ofApplication(NO))[0]).toMatchObject({ explanation: text, explainedBy: 'L001' });
  });

  it('keeps an overdue alert in the queue after the step is done, until explained; a warning leaves with its step', async () => {
    const t = await twoTeamsOverdue();
    await postEvents(t, [completed(NO, 'design_review', '2026-11-27T11:00:00+08:00')]);
    expect(await queue(t, 'H001')).toEqual([`${NO}:overdue`]);
    // YX2026-0002: a fresh occurrence warned, then done
    await postEvents(t, [completed('YX2026-0002', 'design_review', '2026-11-27T09:10:00+08:00', 'H101'), started('YX2026-0002', 'mid_inspection', '2026-11-27T09:20:00+08:00', 'H101')]);
    t.clock.set(at('2026-11-30T08:30:00+08:00'));
    expect(await t.app.timeLimits.sla.sweep()).toMatchObject({ warnings: 1 });
    expect(await queue(t, 'H101')).toEqual(['YX2026-0002:overdue', 'YX2026-0002:warning']);
    await postEvents(t, [completed('YX2026-0002', 'mid_inspection', '2026-11-30T09:00:00+08:00', 'H101')]);
    expect(await queue(t, 'H101')).toEqual(['YX2026-0002:overdue']);
  });
});

describe('the application limit and steps synced done late', () => {
  it('records a step synced done past its due time as overdue, and raises the application-level alert to the team lead', async () => {
    const t = await buildTestApp({ now: at('2026-11-30T09:00:00+08:00'), deps: { startSweeper: false, startDispatcher: false } });
    await syncStaff(t);
    // lv_resident: 5 workdays in all. Accept took 2 workdays (limit 1), survey 3 (limit 1): the limit is used up.
    await applicationLimitUsedUp(t, NO);
    const recorded = await alertRows(t);
    expect(recorded.map((a) => [a.step_code, a.level, a.live, a.notify_at])).toEqual([
      ['accept', 'overdue', 0, null],
      ['survey', 'overdue', 0, null],
    ]);
    expect(await t.app.timeLimits.sla.sweep()).toMatchObject({ applicationOverdue: 1, notified: 1 });
    expect(await t.app.timeLimits.sla.sweep()).toMatchObject({ applicationOverdue: 0, notified: 0 });
    const texts = await slaTexts(t, 'sla_overdue');
    expect(texts).toEqual([{ to: 'L001', text: expect.stringContaining('“低压居民新装全流程”环节已超期') }]);
    const queueOf = async (id: string) => (await t.app.inject({ method: 'GET', url: '/api/v1/staff/queue', headers: await staffHeaders(t, id) })).json().alerts;
    expect((await queueOf('L001')).map((a: { stepCode: string | null; level: string }) => [a.stepCode, a.level])).toEqual([[null, 'overdue']]);
    // addressed to the team lead: the handler's queue has neither the records nor the application's alert
    expect(await queueOf('H001')).toEqual([]);
  });
});
