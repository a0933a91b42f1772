// A requested connection date the planner cannot meet, down to the calendar's first day: an infeasible plan through
// the sync API and the staff re-plan route, never a 500.
import { describe, expect, it } from 'vitest';
import { buildNoticeApp, fakeTwilioForTest, outboxOf, postEvents, putApplication, putHandler, staffHeaders, started } from '../support/notices.ts';

describe('requested dates the planner cannot place', () => {
  it('the calendar\'s first day (2020-01-01, a holiday) through the sync API gives an infeasible plan, and the customer is told', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    await putHandler(t);
    for (const date of ['2020-01-01', '2020-01-02', '2020-03-15', '2026-11-23']) {
      const applicationNo = `YX-${date}`;
      const reply = await t.app.inject({
        method: 'PUT',
        url: `/api/v1/sync/applications/${applicationNo}`,
        headers: t.sync,
        payload: { accountNo: '5300123456', customerName: '玉溪某某食品有限公司', processCode: 'hv_single', phone: '13800001111', queryCode: '482913', requestedConnectDate: date, acceptedAt: '2026-11-20T09:00:00+08:00', status: 'active' },
      });
      expect(reply.statusCode, `${date}: ${reply.body}`).toBe(201);
      expect(reply.json().application).toMatchObject({ requestedConnectDate: date, plan: { feasible: false, basis: 'typical' } });
      expect(reply.json().application.expectedConnectDate > '2026-11-24').toBe(true);
      expect((await outboxOf(t, applicationNo)).map((r) => r.noticeKind)).toContain('plan_created');
    }
  });

  it('the staff re-plan route with 2020-01-01 answers 200 with an infeasible plan; a date off the calendar stays a 400', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    await putHandler(t);
    await putApplication(t, 'YX2026-0001');
    // H001 handles its first step, so they see it
    await postEvents(t, [started('YX2026-0001', 'accept', '2026-11-20T09:00:00+08:00')]);
    const headers = await staffHeaders(t);
    const replan = (requestedConnectDate: string | null) =>
      t.app.inject({ method: 'POST', url: '/api/v1/staff/applications/YX2026-0001/plan', headers, payload: { requestedConnectDate } });

    const early = await replan('2020-01-01');
    expect(early.statusCode, early.body).toBe(200);
    expect(early.json().application).toMatchObject({ requestedConnectDate: '2020-01-01', plan: { feasible: false } });
    const before = await replan('2019-12-31');
    expect(before.statusCode).toBe(400);
    expect(before.json()).toMatchObject({ code: 'JD_INVALID_REQUEST' });
    expect((await replan('2027-06-30')).json().application.plan).toMatchObject({ feasible: true, basis: 'requested_date' });
  });
});
