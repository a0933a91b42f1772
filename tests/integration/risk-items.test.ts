// Complaint-risk items (投诉风险预警) end to end: hurries raise an item live in the team lead's queue, closing needs a
// handling note, a new signal reopens it, and every step is audited.
import { describe, expect, it } from 'vitest';
import { buildNoticeApp, fakeTwilioForTest } from '../support/notices.ts';
import { api, customerA, customerB, grantAdmin, hurry, hurryScenario, listen, LiveClient, signIn, viewToken } from '../support/live.ts';

const at = (iso: string) => Date.parse(iso);

async function setUp() {
  const fake = await fakeTwilioForTest();
  const t = await buildNoticeApp(fake, { now: at('2026-11-24T09:00:00+08:00'), deps: { startSweeper: false } });
  await hurryScenario(t);
  t.clock.set(at('2026-11-24T10:00:00+08:00'));
  const base = await listen(t);
  return { fake, t, base };
}

const press = async (base: string, customer: typeof customerA) => hurry(base, await viewToken(base, customer.accountNo, customer.queryCode), customer.applicationNo);

describe('risk items', () => {
  it('two hurries on one step raise a 预警 item in the team lead\'s queue live, with each signal and its source', async () => {
    const { t, base } = await setUp();
    const lead = await signIn(t, base, 'L001');
    const otherLead = await signIn(t, base, 'L101');
    const live = await LiveClient.open(base);
    await live.subscribeStaff(lead.token);
    const otherLive = await LiveClient.open(base);
    await otherLive.subscribeStaff(otherLead.token);

    expect((await press(base, customerA)).status).toBe(202);
    // one hurry is no risk yet
    expect((await api(base, 'GET', '/api/v1/staff/queue', { token: lead.token })).body.risks).toEqual([]);
    t.clock.set(at('2026-11-24T10:30:00+08:00'));
    expect((await press(base, customerA)).status).toBe(429);

    const { frame } = await live.next((f) => f.type === 'risk', 'risk frame');
    expect(frame.risk).toMatchObject({
      id: 'FX2611240001',
      applicationNo: 'YX2026-0001',
      teamId: 'T01',
      handlerId: 'H001',
      handlerName: '李明',
      tier: 'warning',
      tierName: '预警',
      status: 'open',
    });
    // the first hurry, which the rule counted, is on the item too (review of issue 17: an item gathers its signals)
    expect(frame.risk.signals).toEqual([
      expect.objectContaining({ kind: 'hurry', source: 'kiosk', stepCode: 'design_review', rules: [], tier: null, at: '2026-11-24T10:00:00+08:00' }),
      expect.objectContaining({ kind: 'hurry', source: 'kiosk', stepCode: 'design_review', stepName: '设计文件审核', rules: ['repeat_hurry'], ruleNames: ['同一环节再次催办'], tier: 'warning', at: '2026-11-24T10:30:00+08:00' }),
    ]);
    const queue = await api(base, 'GET', '/api/v1/staff/queue', { token: lead.token });
    expect(queue.body.risks.map((r: { id: string }) => r.id)).toEqual(['FX2611240001']);
    // the other team's lead neither sees it nor is sent it
    expect((await api(base, 'GET', '/api/v1/staff/queue', { token: otherLead.token })).body.risks).toEqual([]);
    await otherLive.settle();
    expect(otherLive.frames.filter((f) => f.type === 'risk')).toEqual([]);
    // and the application's staff page shows it
    const detail = await api(base, 'GET', '/api/v1/staff/applications/YX2026-0001', { token: lead.token });
    expect(detail.body.risk).toMatchObject({ id: 'FX2611240001', tier: 'warning' });
    expect(detail.body.rating).toBeNull();
  });

  it('the queue sorts items by tier, then age', async () => {
    const { t, base } = await setUp();
    const admin = await signIn(t, base, 'L001');
    await t.app.risks.items.record({ applicationNo: customerA.applicationNo, kind: 'limit', source: 'system', stepCode: null });
    t.clock.set(at('2026-11-24T11:00:00+08:00'));
    await t.app.risks.items.record({ applicationNo: customerB.applicationNo, kind: 'complaint', source: 'sms', detail: '我要投诉' });
    await grantAdmin(t, 'L001');
    const queue = await api(base, 'GET', '/api/v1/staff/queue', { token: admin.token });
    expect(queue.body.risks.map((r: { applicationNo: string; tier: string }) => `${r.applicationNo} ${r.tier}`)).toEqual(['YX2026-0002 urgent', 'YX2026-0001 warning']);
  });

  it('closing needs a handling note; a new signal after closing reopens the item; everything is audited', async () => {
    const { t, base } = await setUp();
    const lead = await signIn(t, base, 'L001');
    await press(base, customerA);
    // a second press, not a double click (presses within 5 minutes are one)
    t.clock.set(at('2026-11-24T10:10:00+08:00'));
    await press(base, customerA);
    const id = 'FX2611240001';

    for (const body of [{}, { note: '' }, { note: '   ' }, { note: 'x'.repeat(1001) }, { note: '\u200b' }, { note: ' \u3000\u200b\ufeff\u2060 ' }]) {
      const refused = await api(base, 'POST', `/api/v1/staff/risks/${id}/close`, { token: lead.token, body });
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body).toMatchObject({ code: 'JD_INVALID_REQUEST' });
    }
    expect(await t.app.risks.items.ofApplication(customerA.applicationNo)).toMatchObject({ status: 'open', note: null });
    // another team's lead cannot close it
    const other = await signIn(t, base, 'L101');
    expect((await api(base, 'POST', `/api/v1/staff/risks/${id}/close`, { token: other.token, body: { note: '已联系' } })).status).toBe(404);

    t.clock.set(at('2026-11-24T11:00:00+08:00'));
    const note = '张强11:00电话联系客户，解释设计审核进度，约定明天中午前出审核意见。';
    const closed = await api(base, 'POST', `/api/v1/staff/risks/${id}/close`, { token: lead.token, body: { note } });
    expect(closed.status).toBe(200);
    expect(closed.body.risk).toMatchObject({ status: 'closed', closedBy: 'L001', closedAt: '2026-11-24T11:00:00+08:00', note });
    expect((await api(base, 'POST', `/api/v1/staff/risks/${id}/close`, { token: lead.token, body: { note } })).status).toBe(409);

    // a third hurry the next day: the same item reopens
    t.clock.set(at('2026-11-25T11:00:00+08:00'));
    await press(base, customerA);
    const reopened = (await t.app.risks.items.ofApplication(customerA.applicationNo))!;
    expect(reopened).toMatchObject({ id, status: 'open', raisedAt: '2026-11-25T11:00:00+08:00' });
    expect(reopened.signals.at(-1)).toMatchObject({ kind: 'hurry', rules: expect.arrayContaining(['repeat_hurry', 'repeat_contact']) });

    const nextDay = await signIn(t, base, 'L001');
    const detail = await api(base, 'GET', `/api/v1/staff/risks/${id}`, { token: nextDay.token });
    expect(detail.status).toBe(200);
    expect(detail.body.audit.map((a: { action: string; actor: string }) => `${a.action} ${a.actor}`)).toEqual([
      'opened system',
      'signal customer',
      'closed L001',
      'reopened system',
      'signal customer',
    ]);
    expect(detail.body.audit[2].detail).toBe(note);
    expect((await api(base, 'GET', '/api/v1/staff/risks/FX0000000000', { token: nextDay.token })).status).toBe(404);
  });
});
