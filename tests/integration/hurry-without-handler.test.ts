// A hurry on a step nobody has been assigned to: with the team lead of the team that handled the application; when
// nobody has handled it, with its account manager (客户经理) as its handler; failing that, with every team lead.
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';
import { buildNoticeApp, eventually, fakeTwilioForTest, postEvents, putApplication, putHandler, type StepEvent } from '../support/notices.ts';
import { api, customerA, e164, hurry, listen, LiveClient, signIn, staffOf, viewToken } from '../support/live.ts';

const no = customerA.applicationNo;

/** Both teams, customer A's hv_dual application (with `application` over the defaults) and `events`, then a server. */
async function setUp(application: Record<string, unknown>, events: StepEvent[]) {
  const fake = await fakeTwilioForTest();
  const t = await buildNoticeApp(fake, { now: Date.parse('2026-11-24T10:00:00+08:00'), deps: { startSweeper: false } });
  for (const [id, body] of Object.entries(staffOf)) await putHandler(t, id, body);
  await putApplication(t, no, { processCode: 'hv_dual', requestedConnectDate: undefined, accountNo: customerA.accountNo, queryCode: customerA.queryCode, phone: customerA.phone, ...application });
  await postEvents(t, events);
  await t.app.notices.dispatcher.idle();
  const base = await listen(t);
  return { fake, t, base, before: fake.requests.length };
}

/** Accepted and in its survey, with no handler ever named by the marketing system. */
const neverHandled: StepEvent[] = [
  { eventId: 'EV-NH-1', applicationNo: no, stepCode: 'accept', type: 'step_started', at: '2026-11-20T09:00:00+08:00' },
  { eventId: 'EV-NH-2', applicationNo: no, stepCode: 'accept', type: 'step_completed', at: '2026-11-20T10:00:00+08:00' },
  { eventId: 'EV-NH-3', applicationNo: no, stepCode: 'survey', type: 'step_started', at: '2026-11-23T09:00:00+08:00' },
];

const press = async (base: string, message?: string) => hurry(base, await viewToken(base, customerA.accountNo, customerA.queryCode), no, message);
const queueOf = async (base: string, token: string) => (await api(base, 'GET', '/api/v1/staff/queue', { token })).body.hurries as { id: string }[];
/** who got an SMS containing `text` since `from`, in order */
const textedWith = (fake: FakeTwilio, from: number, text: string) => fake.requests.slice(from).filter((r) => r.body?.includes(text)).map((r) => r.to);

async function liveAs(t: TestApp, base: string, handlerId: string): Promise<LiveClient> {
  const client = await LiveClient.open(base);
  await client.subscribeStaff((await signIn(t, base, handlerId)).token);
  return client;
}

async function hurryFrames(client: LiveClient) {
  await client.settle();
  return client.frames.filter((f) => f.type === 'hurry').map((f) => f.hurry);
}

describe('a hurry on a step without a handler', () => {
  it("goes to the team lead's queue and phone, not to the team's handlers", async () => {
    const { fake, t, base, before } = await setUp({}, [
      { eventId: 'EV-NH-1', applicationNo: no, stepCode: 'accept', type: 'step_started', at: '2026-11-20T09:00:00+08:00', handlerId: 'H001' },
      { eventId: 'EV-NH-2', applicationNo: no, stepCode: 'accept', type: 'step_completed', at: '2026-11-20T10:00:00+08:00', handlerId: 'H001' },
      // the survey has started, but the marketing system has not named its handler
      { eventId: 'EV-NH-3', applicationNo: no, stepCode: 'survey', type: 'step_started', at: '2026-11-23T09:00:00+08:00' },
    ]);

    const pressed = await press(base, '勘查什么时候来？');

    expect(pressed.status).toBe(202);
    expect(pressed.body.hurry).toMatchObject({ status: 'open', stepCode: 'survey', handlerName: null });
    const lead = await signIn(t, base, 'L001');
    expect(await queueOf(base, lead.token)).toMatchObject([{ id: pressed.body.hurry.id, handlerId: null, stepCode: 'survey', message: '勘查什么时候来？' }]);
    for (const id of ['H001', 'H002', 'L101'] as const) {
      expect(await queueOf(base, (await signIn(t, base, id)).token), id).toEqual([]);
    }

    await t.app.notices.dispatcher.idle();
    await eventually(() => fake.requests.slice(before).some((r) => r.to === e164(staffOf.L001.phone)), "the team lead's SMS");
    const staffSms = fake.requests.slice(before).filter((r) => r.body?.includes('催办提醒'));
    expect(staffSms.map((r) => r.to)).toEqual([e164(staffOf.L001.phone)]);
    expect(staffSms[0]!.body).toContain('“现场勘查”');

    const acked = await api(base, 'POST', `/api/v1/staff/hurries/${pressed.body.hurry.id}/ack`, { token: lead.token });
    expect(acked.body.hurry).toMatchObject({ status: 'acknowledged' });
  });

  it("goes to the account manager as its handler when nobody has handled the application: their queue, live and phone, and their name to the customer", async () => {
    const { fake, t, base, before } = await setUp({ accountManagerId: 'H101' }, neverHandled);
    const managerLive = await liveAs(t, base, 'H101');
    const otherLive = await liveAs(t, base, 'H001');

    const pressed = await press(base, '勘查什么时候来？');

    expect(pressed.status).toBe(202);
    // as for a step's handler: the customer sees the masked name of who has the request
    expect(pressed.body.hurry).toMatchObject({ status: 'open', stepCode: 'survey', handlerName: '赵*' });
    const id = pressed.body.hurry.id as string;
    expect(await hurryFrames(managerLive)).toMatchObject([{ id, handlerId: 'H101', stepCode: 'survey', status: 'open' }]);
    expect(await hurryFrames(otherLive)).toEqual([]);
    const manager = await signIn(t, base, 'H101');
    expect(await queueOf(base, manager.token)).toMatchObject([{ id, handlerId: 'H101', message: '勘查什么时候来？' }]);
    // the manager's team lead oversees it as for any handler of the team; the other team sees nothing
    expect(await queueOf(base, (await signIn(t, base, 'L101')).token)).toMatchObject([{ id }]);
    for (const other of ['H001', 'H002', 'L001'] as const) expect(await queueOf(base, (await signIn(t, base, other)).token), other).toEqual([]);

    await t.app.notices.dispatcher.idle();
    await eventually(() => textedWith(fake, before, '催办提醒').length > 0, "the account manager's SMS");
    expect(textedWith(fake, before, '催办提醒')).toEqual([e164(staffOf.H101.phone)]);

    // a repeat within the cooldown still names the manager
    const again = await press(base);
    expect(again.status).toBe(429);
    expect((await api(base, 'POST', `/api/v1/staff/hurries/${id}/ack`, { token: manager.token })).body.hurry).toMatchObject({ status: 'acknowledged' });
  });

  it('goes to every team lead when nobody has handled the application and it has no account manager; any of them acks and answers it', async () => {
    const { fake, t, base, before } = await setUp({}, neverHandled);
    const leadsLive = { L001: await liveAs(t, base, 'L001'), L101: await liveAs(t, base, 'L101') };
    const handlerLive = await liveAs(t, base, 'H001');

    const pressed = await press(base, '勘查什么时候来？');

    expect(pressed.status).toBe(202);
    expect(pressed.body.hurry).toMatchObject({ status: 'open', stepCode: 'survey', handlerName: null });
    const id = pressed.body.hurry.id as string;
    const leads = { L001: await signIn(t, base, 'L001'), L101: await signIn(t, base, 'L101') };
    for (const lead of ['L001', 'L101'] as const) {
      expect(await hurryFrames(leadsLive[lead]), lead).toMatchObject([{ id, handlerId: null, status: 'open' }]);
      expect(await queueOf(base, leads[lead].token), lead).toMatchObject([{ id, handlerId: null, stepCode: 'survey', message: '勘查什么时候来？' }]);
    }
    expect(await hurryFrames(handlerLive)).toEqual([]);
    for (const handler of ['H001', 'H002', 'H101'] as const) expect(await queueOf(base, (await signIn(t, base, handler)).token), handler).toEqual([]);

    await t.app.notices.dispatcher.idle();
    await eventually(() => textedWith(fake, before, '催办提醒').length >= 2, "the team leads' SMS");
    expect(textedWith(fake, before, '催办提醒').sort()).toEqual([e164(staffOf.L001.phone), e164(staffOf.L101.phone)].sort());

    const acked = await api(base, 'POST', `/api/v1/staff/hurries/${id}/ack`, { token: leads.L101.token });
    expect(acked.body.hurry).toMatchObject({ status: 'acknowledged' });
    const answered = await api(base, 'POST', `/api/v1/staff/hurries/${id}/reply`, { token: leads.L001.token, body: { text: '明天上午去现场勘查。' } });
    expect(answered.status).toBe(200);
    expect(answered.body.hurry).toMatchObject({ status: 'answered', reply: '明天上午去现场勘查。' });
    expect(await t.app.stores.hurries.byId(id)).toMatchObject({ ackBy: 'L101', answeredBy: 'L001' });

    await t.app.notices.dispatcher.idle();
    await eventually(() => textedWith(fake, before, '明天上午去现场勘查。').length > 0, "the customer's answer");
    expect(textedWith(fake, before, '明天上午去现场勘查。')).toEqual([e164(customerA.phone)]);
    // no second round of staff texts
    expect(textedWith(fake, before, '催办提醒')).toHaveLength(2);
  });

  it('treats an account manager the marketing system has not synced as none: every team lead gets the request and can open the application', async () => {
    const { t, base } = await setUp({ accountManagerId: 'H999' }, neverHandled);

    const pressed = await press(base);

    expect(pressed.status).toBe(202);
    expect(pressed.body.hurry).toMatchObject({ handlerName: null });
    for (const lead of ['L001', 'L101'] as const) {
      const { token } = await signIn(t, base, lead);
      expect(await queueOf(base, token), lead).toMatchObject([{ id: pressed.body.hurry.id, handlerId: null }]);
      const opened = await api(base, 'GET', `/api/v1/staff/applications/${no}`, { token });
      expect(opened.status, lead).toBe(200);
    }
    // a handler still opens only what they work on
    expect((await api(base, 'GET', `/api/v1/staff/applications/${no}`, { token: (await signIn(t, base, 'H001')).token })).status).toBe(404);
  });

  it('escalates such a request, left unacknowledged for 4 working hours, once to every team lead', async () => {
    const { fake, t, base, before } = await setUp({}, neverHandled);
    expect((await press(base)).status).toBe(202);
    const { sweeper } = t.app.timeLimits;

    t.clock.set(Date.parse('2026-11-24T14:00:00+08:00'));
    await sweeper.sweep();
    t.clock.set(Date.parse('2026-11-24T15:00:00+08:00'));
    await sweeper.sweep();

    expect((await queueOf(base, (await signIn(t, base, 'L101')).token))[0]).toMatchObject({ status: 'escalated', escalationReason: 'unacknowledged' });
    await t.app.notices.dispatcher.idle();
    await eventually(() => textedWith(fake, before, '督办').length >= 2, "the team leads' escalation SMS");
    expect(textedWith(fake, before, '督办').sort()).toEqual([e164(staffOf.L001.phone), e164(staffOf.L101.phone)].sort());
    expect(fake.requests.find((r) => r.body?.includes('督办'))!.body).toContain('办理人未指派');
  });
});
