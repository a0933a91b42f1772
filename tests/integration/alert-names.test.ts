// Alerts carry the step's and the handler's names, not only their codes, wherever they go out: the queue, the
// application detail, the explanation reply and the live `alert` frame; an application-level alert has no step name.
import { describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { completed, postEvents, putApplication, staffHeaders, started } from '../support/notices.ts';
import { listen, LiveClient, signIn, staffOf } from '../support/live.ts';
import { applicationLimitUsedUp, inDesignReview, syncStaff } from '../support/sla.ts';

const at = (iso: string) => Date.parse(iso);
const NO = 'YX2026-0001';

const get = async (t: TestApp, url: string, handlerId: string) => (await t.app.inject({ method: 'GET', url, headers: await staffHeaders(t, handlerId) })).json();

describe('alerts as staff see them', () => {
  it('name the step (设计文件审核) and the handler (李明) in the queue, the detail, the explanation reply and the /ws frame', async () => {
    const t = await buildTestApp({ now: at('2026-11-24T09:00:00+08:00'), deps: { startSweeper: false, startDispatcher: false } });
    await syncStaff(t);
    await inDesignReview(t, NO, '2026-11-24T09:30:00+08:00');
    // past the due time (11-26 23:59); the staff page signs in then (a session lasts 12 hours)
    t.clock.set(at('2026-11-27T09:00:00+08:00'));
    const base = await listen(t);
    const live = await LiveClient.open(base);
    await live.subscribeStaff((await signIn(t, base, 'H001')).token);
    expect(await t.app.timeLimits.sla.sweep()).toMatchObject({ overdue: 1 });
    const named = { stepCode: 'design_review', stepName: '设计文件审核', handlerId: 'H001', handlerName: '李明' };

    const frame = await live.next((f) => f.type === 'alert' && f.alert.level === 'overdue', 'overdue alert frame');
    expect(frame.frame.alert).toMatchObject({ applicationNo: NO, level: 'overdue', ...named });

    const queue = await get(t, '/api/v1/staff/queue', 'H001');
    expect(queue.alerts).toEqual([expect.objectContaining({ applicationNo: NO, level: 'overdue', ...named })]);
    // the team lead sees the handler's name too
    expect((await get(t, '/api/v1/staff/queue', 'L001')).alerts).toEqual([expect.objectContaining(named)]);

    const detail = await get(t, `/api/v1/staff/applications/${NO}`, 'L001');
    expect(detail.alerts).toEqual([expect.objectContaining({ level: 'overdue', ...named })]);

    const filed = await t.app.inject({
      method: 'POST',
      url: `/api/v1/staff/alerts/${queue.alerts[0].id}/explanation`,
      headers: await staffHeaders(t, 'H001'),
      payload: { text: '图纸补正' },
    });
    expect(filed.statusCode).toBe(200);
    expect(filed.json().alert).toMatchObject({ explanation: '图纸补正', ...named });
  });

  it('give an application-level alert no step name, and its team lead by name', async () => {
    const t = await buildTestApp({ now: at('2026-11-30T09:00:00+08:00'), deps: { startSweeper: false, startDispatcher: false } });
    await syncStaff(t);
    // lv_resident's 5 workdays used up by a slow accept and survey
    await applicationLimitUsedUp(t, NO);
    expect(await t.app.timeLimits.sla.sweep()).toMatchObject({ applicationOverdue: 1 });
    const [alert] = (await get(t, '/api/v1/staff/queue', 'L001')).alerts;
    expect(alert).toMatchObject({ stepCode: null, stepName: null, level: 'overdue' });
    expect(alert.handlerName).toBe(alert.handlerId === null ? null : staffOf[alert.handlerId as keyof typeof staffOf].name);
    // the steps recorded overdue after the fact carry their names on the application
    const detail = await get(t, `/api/v1/staff/applications/${NO}`, 'L001');
    expect(detail.alerts.map((a: { stepCode: string | null; stepName: string | null }) => [a.stepCode, a.stepName]).sort()).toEqual([
      ['accept', '业务受理'],
      ['survey', '现场勘查'],
      [null, null],
    ].sort());
  });
});
