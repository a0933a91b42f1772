// A hurry on a step nobody has been assigned to lands with the team lead of the team that handled the application.
import { describe, expect, it } from 'vitest';
import { buildNoticeApp, eventually, fakeTwilioForTest, postEvents, putApplication, putHandler } from '../support/notices.ts';
import { api, customerA, e164, hurry, listen, signIn, staffOf, viewToken } from '../support/live.ts';

describe('a hurry on a step without a handler', () => {
  it("goes to the team lead's queue and phone, not to the team's handlers", async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake, { now: Date.parse('2026-11-24T10:00:00+08:00'), deps: { startSweeper: false } });
    for (const [id, body] of Object.entries(staffOf)) await putHandler(t, id, body);
    const no = customerA.applicationNo;
    await putApplication(t, no, { processCode: 'hv_dual', requestedConnectDate: undefined, accountNo: customerA.accountNo, queryCode: customerA.queryCode, phone: customerA.phone });
    await postEvents(t, [
      { eventId: 'EV-NH-1', applicationNo: no, stepCode: 'accept', type: 'step_started', at: '2026-11-20T09:00:00+08:00', handlerId: 'H001' },
      { eventId: 'EV-NH-2', applicationNo: no, stepCode: 'accept', type: 'step_completed', at: '2026-11-20T10:00:00+08:00', handlerId: 'H001' },
      // the survey has started, but the marketing system has not named its handler
      { eventId: 'EV-NH-3', applicationNo: no, stepCode: 'survey', type: 'step_started', at: '2026-11-23T09:00:00+08:00' },
    ]);
    await t.app.jiedian.dispatcher.idle();
    const base = await listen(t);
    const before = fake.requests.length;

    const pressed = await hurry(base, await viewToken(base, customerA.accountNo, customerA.queryCode), no, '勘查什么时候来？');

    expect(pressed.status).toBe(202);
    expect(pressed.body.hurry).toMatchObject({ status: 'open', stepCode: 'survey', handlerName: null });
    const lead = await signIn(t, base, 'L001');
    const leadQueue = (await api(base, 'GET', '/api/v1/staff/queue', { token: lead.token })).body.hurries;
    expect(leadQueue).toMatchObject([{ id: pressed.body.hurry.id, handlerId: null, stepCode: 'survey', message: '勘查什么时候来？' }]);
    for (const id of ['H001', 'H002', 'L101'] as const) {
      const who = await signIn(t, base, id);
      expect((await api(base, 'GET', '/api/v1/staff/queue', { token: who.token })).body.hurries, id).toEqual([]);
    }

    await t.app.jiedian.dispatcher.idle();
    await eventually(() => fake.requests.slice(before).some((r) => r.to === e164(staffOf.L001.phone)), "the team lead's SMS");
    const staffSms = fake.requests.slice(before).filter((r) => r.body?.includes('催办提醒'));
    expect(staffSms.map((r) => r.to)).toEqual([e164(staffOf.L001.phone)]);
    expect(staffSms[0]!.body).toContain('“现场勘查”');

    const acked = await api(base, 'POST', `/api/v1/staff/hurries/${pressed.body.hurry.id}/ack`, { token: lead.token });
    expect(acked.body.hurry).toMatchObject({ status: 'acknowledged' });
  });
});
