// Hurry (催办) end to end over HTTP and a real WebSocket: the customer presses, the handler's live queue answers.
import { describe, expect, it } from 'vitest';
import { testDatabaseKind, type TestApp } from '../support/app.ts';
import { buildNoticeApp, completed, eventually, fakeTwilioForTest, postEvents, putApplication, started, TWILIO_FROM } from '../support/notices.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';
import { api, customerA, customerB, e164, hurry, hurryScenario, listen, LiveClient, signIn, staffOf, viewToken } from '../support/live.ts';

const at = (iso: string) => Date.parse(iso);

async function setUp(now = at('2026-11-24T10:00:00+08:00'), env: Record<string, string> = {}) {
  const fake = await fakeTwilioForTest();
  // no periodic sweeps: escalation by time is driven by the manual clock and sweep()
  const t = await buildNoticeApp(fake, { now: at('2026-11-24T09:00:00+08:00'), env, deps: { startSweeper: false } });
  await hurryScenario(t);
  t.clock.set(now);
  const base = await listen(t);
  return { fake, t, base };
}

/** A customer at the kiosk: signs in with the account number and query code (view tokens live 15 minutes), then presses. */
async function press(base: string, customer: { accountNo: string; queryCode: string; applicationNo: string }, message?: string, applicationNo = customer.applicationNo) {
  return hurry(base, await viewToken(base, customer.accountNo, customer.queryCode), applicationNo, message);
}

const smsTo = (fake: FakeTwilio, phone: string) => fake.requests.filter((r) => r.to === e164(phone)).map((r) => r.body);

describe('a hurry from press to answer', () => {
  it('reaches the handler live within 100 ms and by SMS, and the answer reaches the customer by SMS', async () => {
    const { fake, t, base } = await setUp();
    const handler = await signIn(t, base, 'H001');
    const live = await LiveClient.open(base);
    await live.subscribeStaff(handler.token);
    expect(live.frames).toEqual([{ type: 'subscribed', staff: 'H001' }]);

    const pressed = await press(base, customerA, '请尽快审核，月底要试生产');

    expect(pressed.status).toBe(202);
    expect(pressed.body).toEqual({
      // nextHurryAt: when the button may be pressed again (HURRY_COOLDOWN_HOURS, 24)
      hurry: { id: 'CB2611240001', status: 'open', stepCode: 'design_review', handlerName: '李*', createdAt: '2026-11-24T10:00:00+08:00', count: 1, nextHurryAt: '2026-11-25T10:00:00+08:00' },
    });
    const frame = await live.next((f) => f.type === 'hurry', 'hurry', { timeoutMs: 1000 });
    expect(frame.at - pressed.at).toBeLessThan(100);
    expect(frame.frame).toEqual({
      type: 'hurry',
      hurry: {
        id: 'CB2611240001',
        applicationNo: 'YX2026-0001',
        stepCode: 'design_review',
        stepName: '设计文件审核',
        handlerId: 'H001',
        channel: 'kiosk',
        message: '请尽快审核，月底要试生产',
        status: 'open',
        count: 1,
        createdAt: '2026-11-24T10:00:00+08:00',
        ackAt: null,
        answeredAt: null,
        reply: null,
        escalatedAt: null,
        escalationReason: null,
      },
    });

    // the handler's SMS names the application, the step, how long it has run and the customer's message
    await eventually(() => smsTo(fake, staffOf.H001.phone).length === 1, "the handler's SMS");
    const [toHandler] = fake.requests.filter((r) => r.to === e164(staffOf.H001.phone));
    expect(toHandler!.form.From).toBe(TWILIO_FROM);
    expect(toHandler!.body).toBe(
      '【接电助手】催办提醒：YX2026-0001（玉溪某某食品有限公司）“设计文件审核”环节已办理1个工作日，客户留言：“请尽快审核，月底要试生产”请及时处理并在工作台答复客户。',
    );
    // and the customer has a receipt with the reference number
    await eventually(() => smsTo(fake, customerA.phone).some((b) => b?.includes('CB2611240001')), "the customer's receipt");
    expect(smsTo(fake, customerA.phone).at(-1)).toBe(
      '【接电助手】您对用电申请（YX2026-0001）“设计文件审核”环节的催办已收到，受理编号CB2611240001，我们会尽快处理并答复您。回TD退订',
    );

    t.clock.set(at('2026-11-24T10:20:00+08:00'));
    const acked = await api(base, 'POST', '/api/v1/staff/hurries/CB2611240001/ack', { token: handler.token });
    expect(acked.status).toBe(200);
    expect(acked.body.hurry).toMatchObject({ status: 'acknowledged', ackAt: '2026-11-24T10:20:00+08:00', answeredAt: null });
    await live.next((f) => f.type === 'hurry' && f.hurry.status === 'acknowledged', 'acknowledged hurry');

    t.clock.set(at('2026-11-24T11:05:00+08:00'));
    const answered = await api(base, 'POST', '/api/v1/staff/hurries/CB2611240001/reply', {
      token: handler.token,
      body: { text: '设计文件已审核通过，意见书明天上午可到营业厅领取。' },
    });
    expect(answered.status).toBe(200);
    expect(answered.body.hurry).toMatchObject({
      status: 'answered',
      ackAt: '2026-11-24T10:20:00+08:00',
      answeredAt: '2026-11-24T11:05:00+08:00',
      reply: '设计文件已审核通过，意见书明天上午可到营业厅领取。',
    });
    await live.next((f) => f.type === 'hurry' && f.hurry.status === 'answered', 'answered hurry');

    await eventually(() => smsTo(fake, customerA.phone).some((b) => b?.includes('已答复')), "the customer's answer");
    expect(smsTo(fake, customerA.phone).at(-1)).toBe(
      '【接电助手】您的催办（受理编号CB2611240001，用电申请YX2026-0001）已答复：设计文件已审核通过，意见书明天上午可到营业厅领取。回TD退订',
    );

    // answered once: a second answer or acknowledgement is a conflict
    for (const path of ['reply', 'ack']) {
      const again = await api(base, 'POST', `/api/v1/staff/hurries/CB2611240001/${path}`, { token: handler.token, body: path === 'reply' ? { text: '再答一次' } : undefined });
      expect(again.status, path).toBe(409);
      expect(again.body).toMatchObject({ code: 'JD_CONFLICT', message: 'hurry request CB2611240001 is already answered' });
    }
    expect(live.frames.filter((f) => f.type === 'hurry').map((f) => f.hurry.status)).toEqual(['open', 'acknowledged', 'answered']);
  });
});

/** Another application of customer A, in design review with H001 since 2026-11-24 09:30. */
async function anotherApplicationOfA(t: TestApp, applicationNo: string) {
  await putApplication(t, applicationNo, { processCode: 'hv_dual', requestedConnectDate: undefined, acceptedAt: '2026-11-20T09:00:00+08:00' });
  await postEvents(t, [
    started(applicationNo, 'accept', '2026-11-20T09:00:00+08:00'),
    completed(applicationNo, 'accept', '2026-11-20T10:00:00+08:00'),
    started(applicationNo, 'survey', '2026-11-20T10:30:00+08:00'),
    completed(applicationNo, 'survey', '2026-11-20T12:00:00+08:00'),
    started(applicationNo, 'plan_reply', '2026-11-20T14:00:00+08:00'),
    completed(applicationNo, 'plan_reply', '2026-11-20T16:00:00+08:00'),
    started(applicationNo, 'design_review', '2026-11-24T09:30:00+08:00'),
  ]);
}

const auditOf = async (t: TestApp, id: string) =>
  (await t.app.stores.hurries.auditOf(id)).map((r) => ({ action: r.action, actor: r.actor, at: new Date(r.at).toISOString(), detail: r.detail }));
const utc = (iso: string) => new Date(iso).toISOString();

describe('the staff queue', () => {
  it('lists unanswered requests first, oldest first, then the answered ones of the last day', async () => {
    const { t, base } = await setUp();
    await anotherApplicationOfA(t, 'YX2026-0003');
    await anotherApplicationOfA(t, 'YX2026-0004');
    const handler = await signIn(t, base, 'H001');

    t.clock.set(at('2026-11-24T10:00:00+08:00'));
    expect((await press(base, customerA)).body.hurry.id).toBe('CB2611240001');
    t.clock.set(at('2026-11-24T10:10:00+08:00'));
    expect((await press(base, customerA, undefined, 'YX2026-0003')).body.hurry.id).toBe('CB2611240002');
    t.clock.set(at('2026-11-24T10:20:00+08:00'));
    expect((await press(base, customerA, undefined, 'YX2026-0004')).body.hurry.id).toBe('CB2611240003');
    t.clock.set(at('2026-11-24T10:30:00+08:00'));
    expect((await api(base, 'POST', '/api/v1/staff/hurries/CB2611240001/reply', { token: handler.token, body: { text: '已审核' } })).status).toBe(200);
    expect((await api(base, 'POST', '/api/v1/staff/hurries/CB2611240003/ack', { token: handler.token })).status).toBe(200);

    const queue = await api(base, 'GET', '/api/v1/staff/queue', { token: handler.token });

    expect(queue.status).toBe(200);
    expect(queue.body.hurries.map((h: { id: string; status: string }) => [h.id, h.status])).toEqual([
      ['CB2611240002', 'open'],
      ['CB2611240003', 'acknowledged'],
      ['CB2611240001', 'answered'],
    ]);
    expect(queue.body.alerts).toEqual([]);

    // an answer stays in the queue for a day
    t.clock.set(at('2026-11-25T10:30:00+08:00'));
    // sessions last 12 hours: the handler signs in again the next morning
    const nextMorning = await signIn(t, base, 'H001');
    const nextDay = await api(base, 'GET', '/api/v1/staff/queue', { token: nextMorning.token });
    expect(nextDay.body.hurries.map((h: { id: string }) => h.id)).toEqual(['CB2611240002', 'CB2611240003', 'CB2611240001']);
    t.clock.set(at('2026-11-25T10:30:00.001+08:00'));
    const later = await api(base, 'GET', '/api/v1/staff/queue', { token: nextMorning.token });
    expect(later.body.hurries.map((h: { id: string }) => h.id)).toEqual(['CB2611240002', 'CB2611240003']);
  });

  it('records every change of a request with who made it and when', async () => {
    const { t, base } = await setUp();
    const handler = await signIn(t, base, 'H001');
    const lead = await signIn(t, base, 'L001');

    t.clock.set(at('2026-11-24T10:00:00+08:00'));
    expect((await press(base, customerA)).status).toBe(202);
    t.clock.set(at('2026-11-24T10:30:00+08:00'));
    expect((await press(base, customerA)).status).toBe(429);
    t.clock.set(at('2026-11-24T10:40:00+08:00'));
    expect((await api(base, 'POST', '/api/v1/staff/hurries/CB2611240001/ack', { token: handler.token })).status).toBe(200);
    t.clock.set(at('2026-11-24T11:00:00+08:00'));
    expect((await press(base, customerA)).status).toBe(429);
    t.clock.set(at('2026-11-24T11:30:00+08:00'));
    expect((await api(base, 'POST', '/api/v1/staff/hurries/CB2611240001/reply', { token: lead.token, body: { text: '班组长已督促，今天完成审核。' } })).status).toBe(200);

    expect(await auditOf(t, 'CB2611240001')).toEqual([
      { action: 'created', actor: 'customer', at: utc('2026-11-24T10:00:00+08:00'), detail: 'kiosk' },
      { action: 'counted', actor: 'customer', at: utc('2026-11-24T10:30:00+08:00'), detail: 'within cooldown' },
      { action: 'acknowledged', actor: 'H001', at: utc('2026-11-24T10:40:00+08:00'), detail: null },
      { action: 'counted', actor: 'customer', at: utc('2026-11-24T11:00:00+08:00'), detail: 'within cooldown' },
      { action: 'escalated', actor: 'system', at: utc('2026-11-24T11:00:00+08:00'), detail: 'repeated' },
      { action: 'answered', actor: 'L001', at: utc('2026-11-24T11:30:00+08:00'), detail: null },
    ]);
    const row = (await t.app.stores.hurries.byId('CB2611240001'))!;
    expect(row).toMatchObject({ ackBy: 'H001', answeredBy: 'L001', status: 'answered', count: 3, escalationReason: 'repeated' });
  });
});

describe('cooldown and count', () => {
  it('refuses a second press within the cooldown with 429, Retry-After and the open request, and counts it', async () => {
    const { t, base } = await setUp();
    const handler = await signIn(t, base, 'H001');
    expect((await press(base, customerA, '第一次催办')).status).toBe(202);

    t.clock.set(at('2026-11-24T11:00:00+08:00'));
    const again = await press(base, customerA, '第二次');

    expect(again.status).toBe(429);
    // HURRY_COOLDOWN_HOURS is 24: 23 hours left
    expect(again.headers.get('retry-after')).toBe('82800');
    expect(again.body).toEqual({
      statusCode: 429,
      code: 'JD_HURRY_COOLDOWN',
      error: 'Too Many Requests',
      message: 'this step was hurried recently; request CB2611240001 is open',
      retryAfterSeconds: 82800,
      // the same as an instant in the utility's zone, for a kiosk to say when (issue 12 item 11)
      retryAt: '2026-11-25T10:00:00+08:00',
      hurryId: 'CB2611240001',
    });
    const [queued] = (await api(base, 'GET', '/api/v1/staff/queue', { token: handler.token })).body.hurries;
    // the refused press counts, but does not replace the message the handler is reading
    expect(queued).toMatchObject({ id: 'CB2611240001', status: 'open', count: 2, message: '第一次催办' });
    expect(await t.app.stores.hurries.ofApplication('YX2026-0001')).toHaveLength(1);
  });

  it('counts a press after the cooldown on the same unanswered request, and starts the cooldown again', async () => {
    const { t, base } = await setUp(at('2026-11-24T10:00:00+08:00'), { HURRY_COOLDOWN_HOURS: '2' });
    expect((await press(base, customerA)).body.hurry).toMatchObject({ id: 'CB2611240001', count: 1 });

    t.clock.set(at('2026-11-24T11:59:59+08:00'));
    const early = await press(base, customerA);
    expect(early.status).toBe(429);
    expect(early.headers.get('retry-after')).toBe('1');

    t.clock.set(at('2026-11-24T12:00:00+08:00'));
    const pressedAgain = await press(base, customerA, '还没有消息吗？');
    expect(pressedAgain.status).toBe(202);
    expect(pressedAgain.body.hurry).toMatchObject({ id: 'CB2611240001', status: 'escalated', count: 3, createdAt: '2026-11-24T10:00:00+08:00' });

    t.clock.set(at('2026-11-24T13:00:00+08:00'));
    const refused = await press(base, customerA);
    expect(refused.status).toBe(429);
    // two hours from the 12:00 press
    expect(refused.body).toMatchObject({ hurryId: 'CB2611240001', retryAfterSeconds: 3600 });
    expect(await t.app.stores.hurries.byId('CB2611240001')).toMatchObject({ count: 4, message: '还没有消息吗？' });
  });

  it('after an answer, refuses a press within the cooldown and creates a new request after it', async () => {
    const { t, base } = await setUp();
    const handler = await signIn(t, base, 'H001');
    expect((await press(base, customerA)).status).toBe(202);
    t.clock.set(at('2026-11-24T11:00:00+08:00'));
    expect((await api(base, 'POST', '/api/v1/staff/hurries/CB2611240001/reply', { token: handler.token, body: { text: '明天审完。' } })).status).toBe(200);

    t.clock.set(at('2026-11-25T09:59:59+08:00'));
    const tooSoon = await press(base, customerA);
    expect(tooSoon.status).toBe(429);
    expect(tooSoon.body).toMatchObject({ code: 'JD_HURRY_COOLDOWN', hurryId: 'CB2611240001', retryAfterSeconds: 1 });
    expect(await t.app.stores.hurries.byId('CB2611240001')).toMatchObject({ status: 'answered', count: 1 });

    t.clock.set(at('2026-11-25T10:00:00+08:00'));
    const fresh = await press(base, customerA, '审完了吗？');
    expect(fresh.status).toBe(202);
    expect(fresh.body.hurry).toEqual({ id: 'CB2611250001', status: 'open', stepCode: 'design_review', handlerName: '李*', createdAt: '2026-11-25T10:00:00+08:00', count: 1, nextHurryAt: '2026-11-26T10:00:00+08:00' });
    const nextMorning = await signIn(t, base, 'H001');
    const queue = (await api(base, 'GET', '/api/v1/staff/queue', { token: nextMorning.token })).body.hurries;
    expect(queue.map((h: { id: string; status: string }) => [h.id, h.status])).toEqual([
      ['CB2611250001', 'open'],
      ['CB2611240001', 'answered'],
    ]);
  });
});

describe('two presses on one step in the same tick', () => {
  it('through two requests are one request pressed twice: made by the first, counted and refused for the second, in order', async () => {
    const { t, base } = await setUp();
    const token = await viewToken(base, customerA.accountNo, customerA.queryCode);
    const pressNow = (message: string) =>
      t.app.inject({ method: 'POST', url: `/api/v1/applications/${customerA.applicationNo}/hurry`, headers: { authorization: `Bearer ${token}` }, payload: { message } });
    const messages = ['第一次', '第二次'];
    const replies = await Promise.all(messages.map(pressNow));
    // SQLite runs write transactions one at a time in the order they were asked for; on PostgreSQL the two run at
    // once, and the press that locks the application's hurries first is the first
    expect(replies.map((reply) => reply.statusCode).sort()).toEqual([202, 429]);
    const made = replies.findIndex((reply) => reply.statusCode === 202);
    if (testDatabaseKind === 'sqlite') expect(made).toBe(0);
    const [first, second] = [replies[made]!, replies[1 - made]!];

    expect(first.statusCode).toBe(202);
    expect(first.json().hurry).toMatchObject({ id: 'CB2611240001', status: 'open', count: 1 });
    expect(second.statusCode).toBe(429);
    expect(second.json()).toMatchObject({ code: 'JD_HURRY_COOLDOWN', hurryId: 'CB2611240001', retryAfterSeconds: 24 * 60 * 60 });
    const hurries = await t.app.stores.hurries.ofApplication(customerA.applicationNo);
    expect(hurries).toHaveLength(1);
    expect(hurries[0]).toMatchObject({ id: 'CB2611240001', count: 2, message: messages[made], lastHurriedAt: at('2026-11-24T10:00:00+08:00') });
    expect(await auditOf(t, 'CB2611240001')).toEqual([
      { action: 'created', actor: 'customer', at: utc('2026-11-24T10:00:00+08:00'), detail: 'kiosk' },
      { action: 'counted', actor: 'customer', at: utc('2026-11-24T10:00:00+08:00'), detail: 'within cooldown' },
    ]);
    // one request: one receipt to the customer, one text to the handler
    const kinds = (await t.app.stores.outbox.ofApplication(customerA.applicationNo)).map((row) => row.noticeKind);
    expect(kinds.filter((kind) => kind === 'hurry_received')).toHaveLength(1);
    expect(kinds.filter((kind) => kind === 'hurry_for_handler')).toHaveLength(1);
  });
});

describe('escalation (督办)', () => {
  it('escalates on the third press: the team lead sees it live, in the queue and by SMS', async () => {
    const { fake, t, base } = await setUp();
    const lead = await signIn(t, base, 'L001');
    const otherLead = await signIn(t, base, 'L101');
    const leadLive = await LiveClient.open(base);
    await leadLive.subscribeStaff(lead.token);
    const otherLeadLive = await LiveClient.open(base);
    await otherLeadLive.subscribeStaff(otherLead.token);

    expect((await press(base, customerA)).status).toBe(202);
    t.clock.set(at('2026-11-24T10:05:00+08:00'));
    expect((await press(base, customerA)).body).toMatchObject({ code: 'JD_HURRY_COOLDOWN', hurryId: 'CB2611240001' });
    t.clock.set(at('2026-11-24T10:10:00+08:00'));
    expect((await press(base, customerA)).body).toMatchObject({ code: 'JD_HURRY_COOLDOWN', hurryId: 'CB2611240001' });

    const escalated = await leadLive.next((f) => f.type === 'hurry' && f.hurry.status === 'escalated', 'escalated hurry');
    expect(escalated.frame.hurry).toMatchObject({
      id: 'CB2611240001',
      handlerId: 'H001',
      count: 3,
      escalatedAt: '2026-11-24T10:10:00+08:00',
      escalationReason: 'repeated',
    });
    const [inQueue] = (await api(base, 'GET', '/api/v1/staff/queue', { token: lead.token })).body.hurries;
    expect(inQueue).toMatchObject({ id: 'CB2611240001', status: 'escalated', count: 3 });
    await eventually(() => smsTo(fake, staffOf.L001.phone).length === 1, "the team lead's SMS");
    expect(smsTo(fake, staffOf.L001.phone)).toEqual(['【接电助手】督办：YX2026-0001“设计文件审核”环节客户已催办3次，办理人李明，请督促处理。']);

    // the other team's lead hears nothing
    await otherLeadLive.settle();
    expect(otherLeadLive.frames.filter((f) => f.type === 'hurry')).toEqual([]);
    expect((await api(base, 'GET', '/api/v1/staff/queue', { token: otherLead.token })).body.hurries).toEqual([]);
    expect(smsTo(fake, staffOf.L101.phone)).toEqual([]);
  });

  it('escalates a request left unacknowledged for 4 working hours: Friday 16:00 → Monday 11:00, not before', async () => {
    const { fake, t, base } = await setUp(at('2026-11-27T16:00:00+08:00'));
    const { sweeper } = t.app.timeLimits;
    expect((await press(base, customerA)).body.hurry.id).toBe('CB2611270001');
    // customer B's request, acknowledged at once, never escalates by time
    expect((await press(base, customerB)).body.hurry.id).toBe('CB2611270002');
    const otherHandler = await signIn(t, base, 'H101');
    expect((await api(base, 'POST', '/api/v1/staff/hurries/CB2611270002/ack', { token: otherHandler.token })).status).toBe(200);

    // Working hours 08:30–17:30: Friday 16:00–17:30 is 1.5 h, the remaining 2.5 h run from Monday 08:30 to 11:00.
    for (const iso of ['2026-11-27T17:29:59+08:00', '2026-11-28T12:00:00+08:00', '2026-11-29T23:00:00+08:00', '2026-11-30T10:59:59.999+08:00']) {
      t.clock.set(at(iso));
      await sweeper.sweep();
      expect((await t.app.stores.hurries.byId('CB2611270001'))!.status, iso).toBe('open');
    }
    // the team lead's Monday session, following the team's queue live
    const lead = await signIn(t, base, 'L001');
    const leadLive = await LiveClient.open(base);
    await leadLive.subscribeStaff(lead.token);
    t.clock.set(at('2026-11-30T11:00:00+08:00'));
    await sweeper.sweep();

    const escalated = await leadLive.next((f) => f.type === 'hurry' && f.hurry.status === 'escalated', 'escalated hurry');
    expect(escalated.frame.hurry).toMatchObject({ id: 'CB2611270001', escalatedAt: '2026-11-30T11:00:00+08:00', escalationReason: 'unacknowledged', count: 1 });
    expect((await t.app.stores.hurries.byId('CB2611270002'))!.status).toBe('acknowledged');
    expect((await auditOf(t, 'CB2611270001')).at(-1)).toEqual({ action: 'escalated', actor: 'system', at: utc('2026-11-30T11:00:00+08:00'), detail: 'unacknowledged' });
    // (the sweep also raises the step's time-limit alerts: only the escalation is looked at here)
    const escalations = () => smsTo(fake, staffOf.L001.phone).filter((b) => b?.includes('督办'));
    await eventually(() => escalations().length === 1, "the team lead's SMS");
    expect(escalations()).toEqual(['【接电助手】督办：YX2026-0001“设计文件审核”环节的催办未按时受理（客户共催办1次），办理人李明，请督促处理。']);

    // a later sweep does not escalate it again
    t.clock.set(at('2026-11-30T15:00:00+08:00'));
    await sweeper.sweep();
    expect((await auditOf(t, 'CB2611270001')).filter((r) => r.action === 'escalated')).toHaveLength(1);
  });

  it('does not count a public holiday as working time: Thursday before Mid-Autumn 16:00 → Monday 11:00', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake, { now: at('2026-09-21T09:00:00+08:00'), deps: { startSweeper: false } });
    await hurryScenario(t, { firstDay: '2026-09-15', reviewDay: '2026-09-21' });
    const base = await listen(t);
    t.clock.set(at('2026-09-24T16:00:00+08:00'));
    expect((await press(base, customerA)).body.hurry.id).toBe('CB2609240001');

    // 2026-09-25 (Friday) is the Mid-Autumn Festival: without it the request would escalate on Friday at 11:00.
    for (const iso of ['2026-09-25T11:00:00+08:00', '2026-09-25T17:00:00+08:00', '2026-09-28T10:59:00+08:00']) {
      t.clock.set(at(iso));
      await t.app.timeLimits.sweeper.sweep();
      expect((await t.app.stores.hurries.byId('CB2609240001'))!.status, iso).toBe('open');
    }
    t.clock.set(at('2026-09-28T11:00:00+08:00'));
    await t.app.timeLimits.sweeper.sweep();
    expect(await t.app.stores.hurries.byId('CB2609240001')).toMatchObject({ status: 'escalated', escalationReason: 'unacknowledged' });
  });

  it('counts a make-up workday as working time: Friday 2026-10-09 16:00 → Saturday 2026-10-10 11:00', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake, { now: at('2026-10-08T09:00:00+08:00'), deps: { startSweeper: false } });
    await hurryScenario(t, { firstDay: '2026-09-28', reviewDay: '2026-10-08' });
    const base = await listen(t);
    t.clock.set(at('2026-10-09T16:00:00+08:00'));
    expect((await press(base, customerA)).status).toBe(202);

    t.clock.set(at('2026-10-10T10:59:00+08:00'));
    await t.app.timeLimits.sweeper.sweep();
    expect((await t.app.stores.hurries.byId('CB2610090001'))!.status).toBe('open');
    t.clock.set(at('2026-10-10T11:00:00+08:00'));
    await t.app.timeLimits.sweeper.sweep();
    expect((await t.app.stores.hurries.byId('CB2610090001'))!.status).toBe('escalated');
  });
});

describe('who sees a hurry', () => {
  it("keeps a request from another team and from another handler of the team (404), and shows it to the team's lead", async () => {
    const { t, base } = await setUp();
    const staff = {
      sameTeam: await signIn(t, base, 'H002'),
      otherTeam: await signIn(t, base, 'H101'),
      otherLead: await signIn(t, base, 'L101'),
      lead: await signIn(t, base, 'L001'),
    };
    const live = { sameTeam: await LiveClient.open(base), otherTeam: await LiveClient.open(base), lead: await LiveClient.open(base) };
    await live.sameTeam.subscribeStaff(staff.sameTeam.token);
    await live.otherTeam.subscribeStaff(staff.otherTeam.token);
    await live.lead.subscribeStaff(staff.lead.token);

    expect((await press(base, customerA)).status).toBe(202);

    await live.lead.next((f) => f.type === 'hurry', 'hurry');
    for (const who of ['sameTeam', 'otherTeam', 'otherLead'] as const) {
      const token = staff[who].token;
      expect((await api(base, 'GET', '/api/v1/staff/queue', { token })).body.hurries, who).toEqual([]);
      for (const path of ['/api/v1/staff/hurries/CB2611240001/ack', '/api/v1/staff/hurries/CB2611240001/reply']) {
        const reply = await api(base, 'POST', path, { token, body: path.endsWith('reply') ? { text: '不是我的' } : undefined });
        expect(reply.status, `${who} ${path}`).toBe(404);
        expect(reply.body).toMatchObject({ code: 'JD_NOT_FOUND', message: 'no hurry request CB2611240001 in your queue' });
      }
      expect((await api(base, 'GET', '/api/v1/staff/applications/YX2026-0001', { token })).status, who).toBe(404);
    }
    for (const client of [live.sameTeam, live.otherTeam]) {
      await client.settle();
      expect(client.frames.filter((f) => f.type === 'hurry')).toEqual([]);
    }
    expect(await t.app.stores.hurries.byId('CB2611240001')).toMatchObject({ status: 'open', ackAt: null, reply: null });

    const leadQueue = await api(base, 'GET', '/api/v1/staff/queue', { token: staff.lead.token });
    expect(leadQueue.body.hurries.map((h: { id: string }) => h.id)).toEqual(['CB2611240001']);
    const detail = await api(base, 'GET', '/api/v1/staff/applications/YX2026-0001', { token: staff.lead.token });
    expect(detail.status).toBe(200);
    expect(detail.body.hurries.map((h: { id: string }) => h.id)).toEqual(['CB2611240001']);
    expect(detail.body.notifications.map((n: { kind: string }) => n.kind)).toContain('hurry_for_handler');
    expect((await api(base, 'POST', '/api/v1/staff/hurries/CB2611240001/ack', { token: staff.lead.token })).body.hurry).toMatchObject({ status: 'acknowledged' });
    expect((await t.app.stores.hurries.byId('CB2611240001'))!.ackBy).toBe('L001');
  });

  it("refuses a press on another account's application (404) and on a completed one (409 JD_NOT_ACTIVE)", async () => {
    const { t, base } = await setUp();
    const customer = await viewToken(base, customerA.accountNo, customerA.queryCode);
    const notYours = await hurry(base, customer, 'YX2026-0002');
    expect(notYours.status).toBe(404);
    expect(notYours.body.code).toBe('JD_NOT_FOUND');

    await putApplication(t, 'YX2026-0001', {
      processCode: 'hv_dual',
      requestedConnectDate: undefined,
      acceptedAt: '2026-11-20T09:00:00+08:00',
      status: 'completed',
    });
    const completedOne = await press(base, customerA);
    expect(completedOne.status).toBe(409);
    expect(completedOne.body).toEqual({ statusCode: 409, code: 'JD_NOT_ACTIVE', error: 'Conflict', message: 'application YX2026-0001 is completed' });
    expect(await t.app.stores.hurries.ofApplication('YX2026-0001')).toEqual([]);
  });

  it('takes a message of up to 200 characters, refuses a longer one, and stores it as given', async () => {
    const { t, base } = await setUp();
    const handler = await signIn(t, base, 'H001');

    const tooLong = await press(base, customerA, '催'.repeat(201));
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toEqual({ statusCode: 400, code: 'JD_INVALID_REQUEST', error: 'Bad Request', message: 'body.message must be at most 200 characters' });
    expect(await t.app.stores.hurries.ofApplication('YX2026-0001')).toEqual([]);

    const markup = '<b>急</b> & "快" <script>alert(1)</script>';
    const pressed = await press(base, customerA, markup + '催'.repeat(200 - markup.length));
    expect(pressed.status).toBe(202);
    const [queued] = (await api(base, 'GET', '/api/v1/staff/queue', { token: handler.token })).body.hurries;
    expect(queued.message).toBe(markup + '催'.repeat(200 - markup.length));
  });

  it('takes a press without a message', async () => {
    const { t, base } = await setUp();
    const customer = await viewToken(base, customerA.accountNo, customerA.queryCode);
    const pressed = await api(base, 'POST', '/api/v1/applications/YX2026-0001/hurry', { token: customer });
    expect(pressed.status).toBe(202);
    expect((await t.app.stores.hurries.byId(pressed.body.hurry.id))!.message).toBeNull();
  });
});
