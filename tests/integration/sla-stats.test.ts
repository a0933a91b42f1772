// Timeliness statistics over a fixture of on-time, late and after-the-fact steps, checked against figures worked
// out by hand; the CSV form; and the team leads' weekly digest.
import { describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { completed, postEvents, putApplication, putHandler, staffHeaders, started } from '../support/notices.ts';
import { inDesignReview, syncStaff } from '../support/sla.ts';

const at = (iso: string) => Date.parse(iso);

/**
 * The week 2026-11-23 … 11-27, design reviews (limit 3 workdays):
 * - A1 (H001) 11-24 → 11-25: 2 workdays, on time;
 * - A2 (H001) 11-24 → 11-27: warned 11-26 08:30, overdue at 11-26's end, explained, 4 workdays;
 * - A3 (H101, other team) 11-23 → 11-23: 1 workday, on time;
 * - A4 (H002) 11-17 → 11-24, synced on 11-27 after the fact: recorded overdue (due 11-19, before the range), 6 workdays.
 */
async function fixture() {
  const t = await buildTestApp({ now: at('2026-11-24T10:00:00+08:00'), deps: { startSweeper: false, startDispatcher: false } });
  await syncStaff(t);
  await putHandler(t, 'A001', { name: '周主任', phone: '13900000001', teamId: 'T09', teamName: '营销部', role: 'team_lead' });
  // what `npm run jiedian -- staff:admin A001` does (tested in cli-database-and-settings.test.ts), on either database
  await t.sql("UPDATE handlers SET role = 'admin' WHERE id = 'A001'");
  await inDesignReview(t, 'A1', '2026-11-24T09:30:00+08:00', 'H001', '2026-11-20');
  await inDesignReview(t, 'A2', '2026-11-24T09:30:00+08:00', 'H001', '2026-11-20');
  await inDesignReview(t, 'A3', '2026-11-23T09:00:00+08:00', 'H101', '2026-11-20');
  await postEvents(t, [completed('A3', 'design_review', '2026-11-23T15:00:00+08:00', 'H101')]);
  t.clock.set(at('2026-11-25T12:00:00+08:00'));
  await postEvents(t, [completed('A1', 'design_review', '2026-11-25T11:00:00+08:00')]);
  t.clock.set(at('2026-11-26T08:30:00+08:00'));
  expect(await t.app.timeLimits.sla.sweep()).toMatchObject({ warnings: 1, overdue: 0 });
  t.clock.set(at('2026-11-27T09:00:00+08:00'));
  expect(await t.app.timeLimits.sla.sweep()).toMatchObject({ warnings: 0, overdue: 1 });
  await inDesignReview(t, 'A4', '2026-11-17T09:00:00+08:00', 'H002', '2026-11-16');
  await postEvents(t, [completed('A4', 'design_review', '2026-11-24T10:00:00+08:00', 'H002')]);
  t.clock.set(at('2026-11-27T10:00:00+08:00'));
  await postEvents(t, [completed('A2', 'design_review', '2026-11-27T10:00:00+08:00')]);
  const [overdue] = (await t.app.timeLimits.alerts.ofApplication('A2')).filter((a) => a.level === 'overdue');
  const explained = await t.app.inject({ method: 'POST', url: `/api/v1/staff/alerts/${overdue!.id}/explanation`, headers: await staffHeaders(t, 'H001'), payload: { text: '等待客户补充资料' } });
  expect(explained.statusCode).toBe(200);
  t.clock.set(at('2026-11-27T11:00:00+08:00'));
  return t;
}

async function stats(t: TestApp, who: string, query: string) {
  return t.app.inject({ method: 'GET', url: `/api/v1/stats/timeliness?from=2026-11-23&to=2026-11-27&${query}`, headers: await staffHeaders(t, who) });
}

const row = (key: string, name: string, figures: [number, number, number, number, number, number, number | null, number | null, number | null]) => {
  const [stepsStarted, stepsCompleted, onTime, warned, overdue, explained, onTimeRate, avgWorkdays, limitWorkdays] = figures;
  return { key, name, stepsStarted, stepsCompleted, onTime, warned, overdue, explained, onTimeRate, avgWorkdays, limitWorkdays };
};

describe('timeliness statistics', () => {
  it('gives the hand-computed figures by step, handler and team; a team lead sees their team, an admin all', async () => {
    const t = await fixture();
    const byStep = await stats(t, 'A001', 'groupBy=step');
    expect(byStep.statusCode).toBe(200);
    // started A1 A2 A3; completed all four; on time A1 A3; (2 + 4 + 1 + 6) / 4 = 3.25 workdays
    expect(byStep.json()).toEqual({ rows: [row('design_review', '设计文件审核', [3, 4, 2, 1, 1, 1, 0.5, 3.25, 3])] });
    expect((await stats(t, 'A001', 'groupBy=handler')).json().rows).toEqual([
      row('H001', '李明', [2, 2, 1, 1, 1, 1, 0.5, 3, 3]),
      row('H002', '王芳', [0, 1, 0, 0, 0, 0, 0, 6, 3]),
      row('H101', '赵丽', [1, 1, 1, 0, 0, 0, 1, 1, 3]),
    ]);
    // the team lead of T01: A1, A2 and A4, (2 + 4 + 6) / 3 = 4 workdays
    expect((await stats(t, 'L001', 'groupBy=team')).json().rows).toEqual([row('T01', '业扩一班', [2, 3, 1, 1, 1, 1, 0.333, 4, 3])]);
    expect((await stats(t, 'L101', 'groupBy=team')).json().rows).toEqual([row('T02', '业扩二班', [1, 1, 1, 0, 0, 0, 1, 1, 3])]);
    // teams by their number, not by pinyin (which would put 业扩二班, èr, before 业扩一班, yī)
    expect((await stats(t, 'A001', 'groupBy=team')).json().rows.map((r: { key: string; name: string }) => [r.key, r.name])).toEqual([
      ['T01', '业扩一班'],
      ['T02', '业扩二班'],
    ]);
    // a handler: their own work only
    expect((await stats(t, 'H002', 'groupBy=handler')).json().rows).toEqual([row('H002', '王芳', [0, 1, 0, 0, 0, 0, 0, 6, 3])]);
  });

  it('counts a step done after its planned end but within its limit the same whether the sweep saw it running or it was synced all at once', async () => {
    // hv_single without a requested date: design review (typical 2, limit 3) from Tue 11-24 is planned to end Wed 11-25,
    // so it is due at Wed's end (its limit would allow Thu); done Thu 11-26 10:00.
    const history = [
      started('B1', 'accept', '2026-11-20T09:00:00+08:00', 'H001'),
      completed('B1', 'accept', '2026-11-20T10:00:00+08:00', 'H001'),
      started('B1', 'survey', '2026-11-20T10:30:00+08:00', 'H001'),
      completed('B1', 'survey', '2026-11-20T12:00:00+08:00', 'H001'),
      started('B1', 'plan_reply', '2026-11-20T14:00:00+08:00', 'H001'),
      completed('B1', 'plan_reply', '2026-11-20T16:00:00+08:00', 'H001'),
      started('B1', 'design_review', '2026-11-24T09:30:00+08:00', 'H001'),
    ];
    const done = completed('B1', 'design_review', '2026-11-26T10:00:00+08:00', 'H001');
    async function scenario(live: boolean) {
      const t = await buildTestApp({ now: at(live ? '2026-11-24T10:00:00+08:00' : '2026-11-26T10:00:00+08:00'), deps: { startSweeper: false, startDispatcher: false } });
      await syncStaff(t);
      await putApplication(t, 'B1', { requestedConnectDate: undefined, acceptedAt: '2026-11-20T09:00:00+08:00' });
      if (live) {
        await postEvents(t, history);
        t.clock.set(at('2026-11-26T00:00:30+08:00'));
        expect(await t.app.timeLimits.sla.sweep()).toMatchObject({ overdue: 1 });
        t.clock.set(at('2026-11-26T10:00:00+08:00'));
        await postEvents(t, [done]);
      } else {
        await postEvents(t, [...history, done]);
      }
      const alerts = (await t.app.timeLimits.alerts.ofApplication('B1')).map((a) => [a.level, a.live, a.dueAt]);
      const rows = (await stats(t, 'L001', 'groupBy=step')).json().rows;
      return { alerts, rows };
    }
    const live = await scenario(true);
    const batch = await scenario(false);
    expect(live.alerts).toEqual([['overdue', true, '2026-11-25T23:59:59+08:00']]);
    expect(batch.alerts).toEqual([['overdue', false, '2026-11-25T23:59:59+08:00']]);
    expect(batch.rows).toEqual(live.rows);
    expect(live.rows).toEqual([row('design_review', '设计文件审核', [1, 1, 0, 0, 1, 0, 0, 3, 3])]);
  });

  it('lists steps in process order, handlers by name (Chinese collation) and teams by number, in JSON and CSV alike', async () => {
    const t = await fixture();
    // 钱伟 (L101, team T02) accepts one more application: by 工号 he would come last, by name second
    await putApplication(t, 'A5', { requestedConnectDate: '2027-06-30', acceptedAt: '2026-11-23T09:00:00+08:00' });
    await postEvents(t, [started('A5', 'accept', '2026-11-23T09:00:00+08:00', 'L101'), completed('A5', 'accept', '2026-11-23T11:00:00+08:00', 'L101')]);
    const query = async (groupBy: string, format = '') =>
      t.app.inject({ method: 'GET', url: `/api/v1/stats/timeliness?from=2026-11-16&to=2026-11-27&groupBy=${groupBy}${format}`, headers: await staffHeaders(t, 'A001') });
    const keys = async (groupBy: string) => ((await query(groupBy)).json().rows as { key: string; name: string }[]).map((r) => `${r.key} ${r.name}`);
    const csvKeys = async (groupBy: string) =>
      (await query(groupBy, '&format=csv')).body
        .slice(1)
        .split('\r\n')
        .slice(1, -1)
        .map((line) => line.split(',').slice(0, 2).join(' '));

    // by code this would be accept, design_review, plan_reply, survey
    const steps = ['accept 业务受理', 'survey 现场勘查', 'plan_reply 供电方案答复', 'design_review 设计文件审核'];
    expect(await keys('step')).toEqual(steps);
    expect(await csvKeys('step')).toEqual(steps);
    const handlers = ['H001 李明', 'L101 钱伟', 'H002 王芳', 'H101 赵丽'];
    expect(await keys('handler')).toEqual(handlers);
    expect(await csvKeys('handler')).toEqual(handlers);
    const teams = ['T01 业扩一班', 'T02 业扩二班'];
    expect(await keys('team')).toEqual(teams);
    expect(await csvKeys('team')).toEqual(teams);
  });

  it('names the CSV columns in Chinese, as the statistics page shows them, when asked with header=names', async () => {
    const t = await fixture();
    const csv = await stats(t, 'L001', 'groupBy=handler&format=csv&header=names');
    expect(csv.statusCode).toBe(200);
    expect(csv.body.slice(1).split('\r\n')).toEqual([
      '编码,名称,开始,完成,按时,预警,超期,已说明,按时率,平均用时（工作日）,时限（工作日）',
      'H001,李明,2,2,1,1,1,1,0.5,3,3',
      'H002,王芳,0,1,0,0,0,0,0,6,3',
      '',
    ]);
    expect((await stats(t, 'L001', 'groupBy=handler&format=csv&header=labels')).statusCode).toBe(400);
  });

  it('answers CSV with a BOM and a header row, and refuses bad ranges and anonymous callers', async () => {
    const t = await fixture();
    const csv = await stats(t, 'L001', 'groupBy=handler&format=csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="timeliness-handler-2026-11-23-2026-11-27.csv"');
    expect([...csv.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.body.slice(1).split('\r\n')).toEqual([
      'key,name,stepsStarted,stepsCompleted,onTime,warned,overdue,explained,onTimeRate,avgWorkdays,limitWorkdays',
      'H001,李明,2,2,1,1,1,1,0.5,3,3',
      'H002,王芳,0,1,0,0,0,0,0,6,3',
      '',
    ]);
    const reversed = await t.app.inject({ method: 'GET', url: '/api/v1/stats/timeliness?from=2026-11-27&to=2026-11-23&groupBy=step', headers: await staffHeaders(t, 'L001') });
    expect(reversed.statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/stats/timeliness?from=2026-11-23&to=2026-11-27&groupBy=month', headers: await staffHeaders(t, 'L001') })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/stats/timeliness?from=2026-11-23&to=2026-11-27&groupBy=step' })).json().code).toBe('JD_UNAUTHORIZED');
  });
});

describe('the weekly digest', () => {
  it('reaches each team lead once on Monday at 08:30 with last week\'s overdue steps and the open alerts', async () => {
    const t = await fixture();
    const digests = async () =>
      (await t.sql("SELECT recipient_ref AS who, text FROM outbox WHERE notice_kind = 'weekly_digest' ORDER BY recipient_ref")) as { who: string; text: string }[];
    t.clock.set(at('2026-11-30T08:29:59+08:00'));
    await t.app.timeLimits.sweeper.sweep();
    expect(await digests()).toEqual([]);
    t.clock.set(at('2026-11-30T08:30:00+08:00'));
    await t.app.timeLimits.sweeper.sweep();
    await t.app.timeLimits.sweeper.sweep();
    t.clock.set(at('2026-11-30T14:00:00+08:00'));
    expect(await t.app.timeLimits.weeklyDigest.run()).toBe(0);
    const sent = await digests();
    // the admin leads no team
    expect(sent.map((d) => d.who)).toEqual(['L001', 'L101']);
    expect(sent.find((d) => d.who === 'L001')!.text).toMatch(/^【接电助手】业扩一班周报：.*本周超期1项；当前未关闭预警0条/);
    expect(sent.find((d) => d.who === 'L101')!.text).toMatch(/本周超期0项；当前未关闭预警0条/);
  });

  it('sends the week before Spring Festival 2026 too, on the first working morning after it, and each week once', async () => {
    // 2026-02-15 (Sun) … 02-23 (Mon) off: Monday 02-16's digest (week 02-09) and Monday 02-23's (week 02-16) are both
    // due on Tue 02-24 08:30, which is already in the week of 02-23.
    const t = await buildTestApp({ now: at('2026-02-10T10:00:00+08:00'), deps: { startSweeper: false, startDispatcher: false } });
    await syncStaff(t);
    const weeks = async () => ((await t.sql('SELECT team_id AS team, week_start AS week FROM weekly_digests ORDER BY week_start, team_id')) as { team: string; week: string }[]).map((r) => `${r.team} ${r.week}`);
    // PostgreSQL gives count(*) as text
    const digests = async () => Number((await t.sql("SELECT count(*) AS n FROM outbox WHERE notice_kind = 'weekly_digest'"))[0]!.n);
    for (const iso of ['2026-02-16T08:30:00+08:00', '2026-02-20T10:00:00+08:00', '2026-02-23T08:30:00+08:00', '2026-02-24T08:29:59+08:00']) {
      t.clock.set(at(iso));
      expect(await t.app.timeLimits.weeklyDigest.run(), iso).toBe(0);
    }
    t.clock.set(at('2026-02-24T08:30:00+08:00'));
    expect(await t.app.timeLimits.weeklyDigest.run()).toBe(4);
    expect(await t.app.timeLimits.weeklyDigest.run()).toBe(0);
    expect(await weeks()).toEqual(['T01 2026-02-09', 'T02 2026-02-09', 'T01 2026-02-16', 'T02 2026-02-16']);
    expect(await digests()).toBe(4);
    // the next Monday: only the week just ended
    t.clock.set(at('2026-03-02T08:30:00+08:00'));
    expect(await t.app.timeLimits.weeklyDigest.run()).toBe(2);
    expect((await weeks()).slice(4)).toEqual(['T01 2026-02-23', 'T02 2026-02-23']);
  });

  it('does not send a team new this Monday the digest of a week long past', async () => {
    const t = await buildTestApp({ now: at('2026-11-30T08:00:00+08:00'), deps: { startSweeper: false, startDispatcher: false } });
    await syncStaff(t);
    t.clock.set(at('2026-11-30T08:30:00+08:00'));
    expect(await t.app.timeLimits.weeklyDigest.run()).toBe(2);
    expect(((await t.sql('SELECT DISTINCT week_start AS w FROM weekly_digests')) as { w: string }[]).map((r) => r.w)).toEqual(['2026-11-23']);
  });
});
