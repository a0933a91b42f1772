// Step and plan notices over SMS: the real app, the real twilio SDK and a fake Twilio API on 127.0.0.1.
import { describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { MAX_DELIVERY_ATTEMPTS } from '../../server/domain/delivery-policy.ts';
import { DEFAULT_NOW } from '../support/app.ts';
import {
  PUBLIC_URL,
  STATUS_PATH,
  TWILIO_FROM,
  buildNoticeApp,
  completed,
  fakeTwilioForTest,
  hvDualBeforeDesignReview,
  outboxOf,
  postEvents,
  postStatusCallback,
  putApplication,
  putHandler,
  requestsFor,
  rowsOfKind,
  staffHeaders,
  started,
} from '../support/notices.ts';

// two segments, and it carries the expected connection date (issue 12 item 14)
const DESIGN_REVIEW_SMS =
  '【接电助手】用电申请YX2026-0001已进入“设计文件审核”环节，预计11月26日前完成。' +
  '需配合：提交受电工程设计文件及设计单位资质证明。下一环节“客户受电工程施工”11月27日开始，预计2027年1月27日接电。' +
  '办理人李*，电话13912345678。回TD退订';

const designReviewStarted = (applicationNo = 'YX2026-0001') => started(applicationNo, 'design_review', '2026-11-24T09:30:00+08:00');

describe('step_started over SMS', () => {
  it('sends exactly one SMS with the step, its due date, the tasks, the next step and its start, and the handler', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    await hvDualBeforeDesignReview(t);
    const before = fake.requests.length;

    await postEvents(t, [designReviewStarted()]);
    await t.app.notices.dispatcher.idle();

    const sent = fake.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.form).toEqual({
      To: '+8613800001111',
      From: TWILIO_FROM,
      Body: DESIGN_REVIEW_SMS,
      StatusCallback: PUBLIC_URL + STATUS_PATH,
    });
    const [row] = await rowsOfKind(t, 'YX2026-0001', 'step_started');
    expect(row).toMatchObject({ status: 'sent', attempts: 1, text: DESIGN_REVIEW_SMS, segments: 2, provider: 'twilio' });
    expect(sent[0]!.idempotencyToken).toBe(row!.id);
    expect(row!.providerId).toBe(fake.messages.at(-1)!.sid);
  });

  it('keeps the template kind and variables on the outbox row for template-code providers', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    await hvDualBeforeDesignReview(t);
    await postEvents(t, [designReviewStarted()]);
    await t.app.notices.dispatcher.idle();

    const [row] = await rowsOfKind(t, 'YX2026-0001', 'step_started');
    expect(row!.variables).toEqual({
      customerName: '玉溪某某食品有限公司',
      applicationNo: 'YX2026-0001',
      processName: '高压新装增容（双电源）',
      step: { name: '设计文件审核', dueDate: '2026-11-26', customerTasks: ['提交受电工程设计文件及设计单位资质证明'] },
      nextStep: { name: '客户受电工程施工', plannedStart: '2026-11-27' },
      handler: { name: '李明', phone: '13912345678' },
      expectedConnectDate: '2027-01-27',
      includeRegulation: false,
    });
  });

  it('sends nothing more for a repeated event or a corrected start time of a step already in progress', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    await hvDualBeforeDesignReview(t);
    const event = designReviewStarted();
    await postEvents(t, [event]);
    await t.app.notices.dispatcher.idle();
    const before = fake.requests.length;

    await postEvents(t, [event]);
    await postEvents(t, [started('YX2026-0001', 'design_review', '2026-11-24T09:45:00+08:00')]);
    await t.app.notices.dispatcher.idle();

    expect(fake.requests.length).toBe(before);
    expect(await rowsOfKind(t, 'YX2026-0001', 'step_started')).toHaveLength(1);
  });

  it('says nothing about a step that started and finished within one sync', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    await hvDualBeforeDesignReview(t);

    await postEvents(t, [designReviewStarted(), completed('YX2026-0001', 'design_review', '2026-11-24T09:50:00+08:00')]);
    await t.app.notices.dispatcher.idle();

    expect(await rowsOfKind(t, 'YX2026-0001', 'step_started')).toEqual([]);
  });

  it('gives hv_single customers the regulatory sentence once, in the plan notice, and lv_resident customers never', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    await putHandler(t);
    for (const [applicationNo, processCode] of [
      ['YX2026-0001', 'hv_single'],
      ['YX2026-0002', 'lv_resident'],
    ] as const) {
      await putApplication(t, applicationNo, { processCode, requestedConnectDate: undefined });
      await postEvents(t, [
        started(applicationNo, 'accept', '2026-11-23T09:00:00+08:00'),
        completed(applicationNo, 'accept', '2026-11-23T11:00:00+08:00'),
      ]);
      await postEvents(t, [started(applicationNo, 'survey', '2026-11-24T09:00:00+08:00')]);
    }
    await t.app.notices.dispatcher.idle();

    const bodyOf = async (applicationNo: string) => requestsFor(fake, (await rowsOfKind(t, applicationNo, 'step_started'))[0]!.id).map((r) => r.body);
    const regulation = '按规定，受电工程的设计、施工须委托具备相应资质的单位承担。';
    const planOf = async (applicationNo: string) => requestsFor(fake, (await rowsOfKind(t, applicationNo, 'plan_created'))[0]!.id).map((r) => r.body);
    expect((await planOf('YX2026-0001'))[0]).toContain('您的10千伏用电申请（YX2026-0001）接电计划已制定');
    expect((await planOf('YX2026-0001'))[0]).toContain(regulation);
    expect(await bodyOf('YX2026-0001')).toEqual([
      '【接电助手】用电申请YX2026-0001已进入“现场勘查”环节，预计11月24日前完成。' +
        '需配合：约定勘查时间；安排现场联系人；提供主要用电设备清单。' +
        '下一环节“供电方案答复”11月25日开始，预计2027年1月15日接电。办理人李*，电话13912345678。回TD退订',
    ]);
    expect((await planOf('YX2026-0002'))[0]).not.toContain(regulation);
    expect(await bodyOf('YX2026-0002')).toEqual([
      '【接电助手】用电申请YX2026-0002已进入“现场勘查”环节，预计11月24日前完成。' +
        '需配合：约定勘查时间；安排现场联系人；提供主要用电设备清单。' +
        '下一环节“装表接电”11月25日开始，预计11月26日接电。办理人李*，电话13912345678。回TD退订',
    ]);
  });
});

describe('delivery failures', () => {
  it('retries a 500 from Twilio with the same idempotency token after the backoff, then records it sent', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    await hvDualBeforeDesignReview(t);
    fake.failNext(1, { status: 500 });

    await postEvents(t, [designReviewStarted()]);
    await t.app.notices.dispatcher.idle();
    const [row] = await rowsOfKind(t, 'YX2026-0001', 'step_started');
    const first = (await t.app.stores.outbox.byId(row!.id))!;
    expect(first).toMatchObject({ status: 'pending', attempts: 1, lastError: '20500: Twilio answered HTTP 500 with error 20500' });
    // random() is 0 in these tests: the shortest backoff, 1 s
    expect(first.nextAttemptAt).toBe(DEFAULT_NOW + 1000);

    t.clock.advance(1000);
    t.app.notices.dispatcher.wake();
    await t.app.notices.dispatcher.idle();

    expect(await rowsOfKind(t, 'YX2026-0001', 'step_started')).toHaveLength(1);
    expect(await t.app.stores.outbox.byId(row!.id)).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
    const attempts = requestsFor(fake, row!.id);
    expect(attempts.map((r) => r.outcome)).toEqual([500, 201]);
    expect(attempts.map((r) => r.body)).toEqual([DESIGN_REVIEW_SMS, DESIGN_REVIEW_SMS]);
  });

  it('fails a notice Twilio refuses with a 400 at once and never tries it again', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    await hvDualBeforeDesignReview(t);
    fake.failNext(1, { status: 400, code: 21211 });

    await postEvents(t, [designReviewStarted()]);
    await t.app.notices.dispatcher.idle();
    t.clock.advance(24 * 3600_000);
    t.app.notices.dispatcher.wake();
    await t.app.notices.dispatcher.idle();

    const [row] = await rowsOfKind(t, 'YX2026-0001', 'step_started');
    expect(row).toMatchObject({ status: 'failed', attempts: 1, lastError: '21211: Twilio answered HTTP 400 with error 21211' });
    expect(requestsFor(fake, row!.id)).toHaveLength(1);
  });

  it('gives a notice up as dead after the maximum of attempts when Twilio keeps failing', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    await hvDualBeforeDesignReview(t);
    fake.failNext(MAX_DELIVERY_ATTEMPTS, { status: 503 });

    await postEvents(t, [designReviewStarted()]);
    for (let i = 0; i < MAX_DELIVERY_ATTEMPTS + 2; i++) {
      await t.app.notices.dispatcher.idle();
      t.clock.advance(3600_000);
      t.app.notices.dispatcher.wake();
    }
    await t.app.notices.dispatcher.idle();

    const [row] = await rowsOfKind(t, 'YX2026-0001', 'step_started');
    expect(row).toMatchObject({ status: 'dead', attempts: MAX_DELIVERY_ATTEMPTS });
    expect(requestsFor(fake, row!.id)).toHaveLength(MAX_DELIVERY_ATTEMPTS);
  });

  it('waits longer before each retry: exponential backoff', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake, { deps: { random: () => 0.999 } });
    await hvDualBeforeDesignReview(t);
    fake.failNext(3, { status: 429 });

    await postEvents(t, [designReviewStarted()]);
    const [row] = await rowsOfKind(t, 'YX2026-0001', 'step_started');
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      await t.app.notices.dispatcher.idle();
      const pending = (await t.app.stores.outbox.byId(row!.id))!;
      waits.push(pending.nextAttemptAt - t.clock.now());
      t.clock.set(pending.nextAttemptAt);
      t.app.notices.dispatcher.wake();
    }
    await t.app.notices.dispatcher.idle();

    // ceilings of 2 s, 4 s and 8 s, times random() = 0.999
    expect(waits).toEqual([1998, 3996, 7992]);
    expect(await t.app.stores.outbox.byId(row!.id)).toMatchObject({ status: 'sent', attempts: 4 });
  });

  it('on Twilio 21610 fails the notice and opts the number out, so the next notice to it is neither written nor sent', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    await hvDualBeforeDesignReview(t);
    fake.failNext(1, { status: 400, code: 21610 });

    await postEvents(t, [designReviewStarted()]);
    await t.app.notices.dispatcher.idle();
    const [row] = await rowsOfKind(t, 'YX2026-0001', 'step_started');
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(await t.app.stores.outbox.isOptedOut('sms', '13800001111')).toBe(true);
    const before = fake.requests.length;

    await postEvents(t, [
      completed('YX2026-0001', 'design_review', '2026-11-25T15:00:00+08:00'),
      started('YX2026-0001', 'construction', '2026-11-26T09:00:00+08:00'),
    ]);
    t.clock.advance(3600_000);
    t.app.notices.dispatcher.wake();
    await t.app.notices.dispatcher.idle();

    expect(fake.requests.length).toBe(before);
    expect(await rowsOfKind(t, 'YX2026-0001', 'step_started')).toHaveLength(1);
  });
});

describe('Twilio delivery status callbacks', () => {
  async function sentStepNotice() {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    await hvDualBeforeDesignReview(t);
    await postEvents(t, [designReviewStarted()]);
    await t.app.notices.dispatcher.idle();
    const [row] = await rowsOfKind(t, 'YX2026-0001', 'step_started');
    return { fake, t, row: row! };
  }

  it('moves the row to delivered on a callback signed over PUBLIC_URL + path', async () => {
    const { t, row } = await sentStepNotice();
    t.clock.advance(5000);

    const reply = await postStatusCallback(t, { MessageSid: row.providerId!, MessageStatus: 'delivered', AccountSid: t.config.twilio!.accountSid });

    expect(reply.statusCode).toBe(204);
    expect(await t.app.stores.outbox.byId(row.id)).toMatchObject({ status: 'delivered', deliveredAt: DEFAULT_NOW + 5000 });
  });

  it('rejects a forged or unsigned callback with 401 and changes nothing', async () => {
    const { t, row } = await sentStepNotice();
    const params = { MessageSid: row.providerId!, MessageStatus: 'delivered' };

    const forged = await postStatusCallback(t, params, { authToken: 'not-the-auth-token-0123456789' });
    const unsigned = await postStatusCallback(t, params, { signature: null });
    const tampered = await postStatusCallback(t, { ...params, MessageStatus: 'failed' }, {
      signature: twilio.getExpectedTwilioSignature(t.config.twilio!.authToken, PUBLIC_URL + STATUS_PATH, params),
    });

    for (const reply of [forged, unsigned, tampered]) {
      expect(reply.statusCode).toBe(401);
      expect(reply.json()).toMatchObject({ code: 'JD_UNAUTHORIZED' });
    }
    expect(await t.app.stores.outbox.byId(row.id)).toMatchObject({ status: 'sent', deliveredAt: null });
  });

  it('answers 404 to a signed callback for a MessageSid it never sent', async () => {
    const { t } = await sentStepNotice();
    const reply = await postStatusCallback(t, { MessageSid: 'SM' + '0'.repeat(32), MessageStatus: 'delivered' });
    expect(reply.statusCode).toBe(404);
    expect(reply.json()).toMatchObject({ code: 'JD_NOT_FOUND' });
  });

  it('does not let a late sent callback undo delivered', async () => {
    const { t, row } = await sentStepNotice();
    await postStatusCallback(t, { MessageSid: row.providerId!, MessageStatus: 'delivered' });
    const late = await postStatusCallback(t, { MessageSid: row.providerId!, MessageStatus: 'sent' });
    expect(late.statusCode).toBe(204);
    expect(await t.app.stores.outbox.byId(row.id)).toMatchObject({ status: 'delivered' });
  });

  it('marks the row failed and the number opted out on an undelivered callback with 21610', async () => {
    const { t, row } = await sentStepNotice();
    const reply = await postStatusCallback(t, { MessageSid: row.providerId!, MessageStatus: 'undelivered', ErrorCode: '21610' });
    expect(reply.statusCode).toBe(204);
    expect(await t.app.stores.outbox.byId(row.id)).toMatchObject({ status: 'failed', lastError: 'delivery failed (21610)' });
    const optOut = await t.sql('SELECT channel, source FROM opt_outs WHERE address = ?', '13800001111');
    expect(optOut).toMatchObject([{ channel: 'sms', source: 'twilio:21610' }]);
  });
});

describe('plan and connection notices', () => {
  it('sends plan_created when an application arrives', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    await putApplication(t, 'YX2026-0001', { requestedConnectDate: '2027-03-01' });
    await t.app.notices.dispatcher.idle();

    expect(fake.requests.map((r) => r.body)).toEqual([
      // the requested date is the expected one: said once (issue 12 item 14)
      '【接电助手】您的10千伏用电申请（YX2026-0001）接电计划已制定，预计2027年3月1日（周一）接电。可以满足您要求的接电日期。' +
        '按规定，受电工程的设计、施工须委托具备相应资质的单位承担。回TD退订',
    ]);
    expect((await outboxOf(t, 'YX2026-0001')).map((r) => [r.noticeKind, r.status])).toEqual([['plan_created', 'sent']]);
  });

  it('sends plan_changed only when the expected connection date moves, not on every re-plan', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    await putHandler(t);
    await putApplication(t, 'YX2026-0001', { requestedConnectDate: '2027-03-01' });
    // progress re-plans, but the requested date still holds
    await postEvents(t, [
      started('YX2026-0001', 'accept', '2026-11-20T09:00:00+08:00'),
      completed('YX2026-0001', 'accept', '2026-11-20T11:00:00+08:00'),
    ]);
    await putApplication(t, 'YX2026-0001', { requestedConnectDate: '2027-03-01', address: '红塔区玉兴路 20 号' });
    await t.app.notices.dispatcher.idle();
    expect((await outboxOf(t, 'YX2026-0001')).map((r) => r.noticeKind)).toEqual(['plan_created']);

    await putApplication(t, 'YX2026-0001', { requestedConnectDate: '2027-04-01' });
    await t.app.notices.dispatcher.idle();

    const changed = await rowsOfKind(t, 'YX2026-0001', 'plan_changed');
    expect(changed).toHaveLength(1);
    expect(requestsFor(fake, changed[0]!.id).map((r) => r.body)).toEqual([
      '【接电助手】您的用电申请（YX2026-0001）预计接电日期由2027年3月1日（周一）调整为2027年4月1日（周四）。' +
        '可以满足您要求的接电日期。回TD退订',
    ]);
  });

  it('plans an application accepted after working hours from the next workday, so its first step starting that evening changes nothing', async () => {
    const fake = await fakeTwilioForTest();
    // Tue 2026-11-24 19:00: the day's work is over
    const t = await buildNoticeApp(fake, { now: Date.parse('2026-11-24T19:00:00+08:00') });
    await putHandler(t);
    const created = await putApplication(t, 'YX2026-0001', { processCode: 'lv_resident', requestedConnectDate: undefined });
    await postEvents(t, [started('YX2026-0001', 'accept', '2026-11-24T19:05:00+08:00')]);
    await t.app.notices.dispatcher.idle();

    const plans = (await outboxOf(t, 'YX2026-0001')).filter((r) => r.noticeKind.startsWith('plan_'));
    expect(plans.map((r) => r.noticeKind)).toEqual(['plan_created']);
    const view = (await t.app.applications.views.staffView('YX2026-0001'))!;
    expect(view.expectedConnectDate).toBe(created.expectedConnectDate);
    // acceptance counts from Wednesday, not from the evening it arrived
    expect(view.steps[0]).toMatchObject({ code: 'accept', plannedStart: '2026-11-24', plannedEnd: '2026-11-25', dueAt: '2026-11-25T23:59:59+08:00' });
  });

  it('sends connected once when the last step completes', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    await putHandler(t);
    await putApplication(t, 'YX2026-0002', { processCode: 'lv_resident', requestedConnectDate: undefined });
    await postEvents(t, [
      started('YX2026-0002', 'accept', '2026-11-23T09:00:00+08:00'),
      completed('YX2026-0002', 'accept', '2026-11-23T10:00:00+08:00'),
      started('YX2026-0002', 'survey', '2026-11-23T14:00:00+08:00'),
      completed('YX2026-0002', 'survey', '2026-11-23T16:00:00+08:00'),
      started('YX2026-0002', 'connect', '2026-11-24T09:00:00+08:00'),
    ]);
    await t.app.notices.dispatcher.idle();
    expect(await rowsOfKind(t, 'YX2026-0002', 'connected')).toEqual([]);

    await postEvents(t, [completed('YX2026-0002', 'connect', '2026-11-24T09:40:00+08:00')]);
    // the marketing system corrects the completion time: the customer is not told twice
    await postEvents(t, [completed('YX2026-0002', 'connect', '2026-11-24T09:45:00+08:00')]);
    await t.app.notices.dispatcher.idle();

    const connected = await rowsOfKind(t, 'YX2026-0002', 'connected');
    expect(connected).toHaveLength(1);
    expect(requestsFor(fake, connected[0]!.id).map((r) => r.body)).toEqual([
      '【接电助手】您的用电申请（YX2026-0002）已完成装表接电，现已正常供电，感谢您的支持与配合！欢迎评价本次服务：回复1-5为本次服务评分。回TD退订',
    ]);
  });
});

describe('staff view and metrics', () => {
  it('lists the application notices with status, channel, rendered text and attempts', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    await hvDualBeforeDesignReview(t);
    fake.failNext(1, { status: 500 });
    await postEvents(t, [designReviewStarted()]);
    await t.app.notices.dispatcher.idle();

    const reply = await t.app.inject({ method: 'GET', url: '/api/v1/staff/applications/YX2026-0001', headers: await staffHeaders(t) });

    expect(reply.statusCode).toBe(200);
    const body = reply.json();
    expect(body.application).toMatchObject({ applicationNo: 'YX2026-0001', customerName: '玉溪某某食品有限公司' });
    expect(body.notifications[0]).toMatchObject({
      kind: 'step_started',
      recipient: 'customer',
      channel: 'sms',
      address: '13800001111',
      status: 'pending',
      text: DESIGN_REVIEW_SMS,
      segments: 2,
      attempts: 1,
      lastError: '20500: Twilio answered HTTP 500 with error 20500',
      createdAt: '2026-11-24T10:00:00+08:00',
      nextAttemptAt: '2026-11-24T10:00:01+08:00',
      sentAt: null,
    });
    // the plan moving by less than PLAN_CHANGE_MIN_WORKDAYS as the plan reply completed is no text of its own
    expect(body.notifications.slice(1).map((n: { kind: string; status: string }) => [n.kind, n.status])).toEqual([
      ['plan_created', 'sent'],
    ]);
  });

  it('refuses the staff view without a staff token, the sync token included', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    await putApplication(t, 'YX2026-0001');
    const missing = await t.app.inject({ method: 'GET', url: '/api/v1/staff/applications/YX2026-0001' });
    const wrong = await t.app.inject({ method: 'GET', url: '/api/v1/staff/applications/YX2026-0001', headers: { authorization: 'Bearer nope' } });
    const sync = await t.app.inject({ method: 'GET', url: '/api/v1/staff/applications/YX2026-0001', headers: t.sync });
    expect([missing.statusCode, wrong.statusCode, sync.statusCode]).toEqual([401, 401, 401]);
    expect(missing.json()).toMatchObject({ code: 'JD_UNAUTHORIZED' });
  });

  it('shows outbox depth and deliveries by channel and status in /metrics', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    await hvDualBeforeDesignReview(t);
    fake.failNext(1, { status: 500 });
    await postEvents(t, [designReviewStarted()]);
    await t.app.notices.dispatcher.idle();

    const reply = await t.app.inject({ method: 'GET', url: '/metrics' });

    expect(reply.statusCode).toBe(200);
    // the exposition format is UTF-8, and says so (issue 12 item 12)
    expect(reply.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const lines = reply.body.split('\n');
    expect(lines).toContain('jiedian_outbox_rows{channel="sms",status="pending"} 1');
    // plan_created; the plan's small move as the plan reply completed rides along in the step notice
    expect(lines).toContain('jiedian_outbox_rows{channel="sms",status="sent"} 1');
    expect(lines).toContain('jiedian_deliveries_total{channel="sms",status="sent"} 1');
    expect(lines).toContain('jiedian_deliveries_total{channel="sms",status="pending"} 1');
  });

  it('counts delivery callbacks in /metrics', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    await putApplication(t, 'YX2026-0001');
    await t.app.notices.dispatcher.idle();
    const [row] = await outboxOf(t, 'YX2026-0001');
    await postStatusCallback(t, { MessageSid: row!.providerId!, MessageStatus: 'delivered' });

    const lines = (await t.app.inject({ method: 'GET', url: '/metrics' })).body.split('\n');
    expect(lines).toContain('jiedian_outbox_rows{channel="sms",status="delivered"} 1');
    expect(lines).toContain('jiedian_deliveries_total{channel="sms",status="delivered"} 1');
  });
});

describe('quiet hours', () => {
  const at23 = Date.parse('2026-11-24T23:00:00+08:00');
  const morning = Date.parse('2026-11-25T08:00:00+08:00');

  it('holds a step notice written at 23:00 until 08:00 and sends it when the morning comes', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake, { now: at23 });
    await putHandler(t);
    await putApplication(t, 'YX2026-0002', { processCode: 'lv_resident', requestedConnectDate: undefined });
    // started in working hours, synced late: a start after them would count from the next workday and move the plan
    await postEvents(t, [started('YX2026-0002', 'accept', '2026-11-24T17:00:00+08:00')]);
    await t.app.notices.dispatcher.idle();

    expect(fake.requests).toEqual([]);
    expect((await outboxOf(t, 'YX2026-0002')).map((r) => [r.noticeKind, r.status, r.nextAttemptAt])).toEqual([
      ['plan_created', 'pending', morning],
      ['step_started', 'pending', morning],
    ]);

    t.clock.set(morning - 1);
    t.app.notices.dispatcher.wake();
    await t.app.notices.dispatcher.idle();
    expect(fake.requests).toEqual([]);

    t.clock.set(morning);
    t.app.notices.dispatcher.wake();
    await t.app.notices.dispatcher.idle();
    expect((await outboxOf(t, 'YX2026-0002')).map((r) => r.status)).toEqual(['sent', 'sent']);
    expect(fake.requests).toHaveLength(2);
  });

  it('does not hold an urgent notice (a binding code) at night', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake, { now: at23 });
    await putApplication(t, 'YX2026-0002', { processCode: 'lv_resident', requestedConnectDate: undefined });
    const application = (await t.app.stores.applications.application('YX2026-0002'))!;

    const ids = await t.app.transact((stores) =>
      t.app.notices.writer.queue(stores, 'bind_code', { kind: 'customer', application, only: { channel: 'sms', address: '13800002222' } }, { code: '482913', validMinutes: 10 }),
    );
    t.app.notices.dispatcher.wake();
    await t.app.notices.dispatcher.idle();

    expect(ids).toHaveLength(1);
    expect(await t.app.stores.outbox.byId(ids[0]!)).toMatchObject({ status: 'sent', nextAttemptAt: at23 });
    expect(fake.requests.map((r) => [r.to, r.body])).toEqual([
      ['+8613800002222', '【接电助手】验证码482913，用于绑定用电进度通知，10分钟内有效。请勿告知他人，如非本人操作请忽略。回TD退订'],
    ]);
  });

  it('does not retry a step notice into the night: a retry that falls due after 22:00 waits for 08:00', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake, { now: Date.parse('2026-11-24T15:00:00+08:00') });
    await hvDualBeforeDesignReview(t);
    t.clock.set(Date.parse('2026-11-24T21:59:59.500+08:00'));
    fake.failNext(1, { status: 500 });
    await postEvents(t, [designReviewStarted()]);
    await t.app.notices.dispatcher.idle();
    const [row] = await rowsOfKind(t, 'YX2026-0001', 'step_started');

    t.clock.advance(1000);
    t.app.notices.dispatcher.wake();
    await t.app.notices.dispatcher.idle();
    expect(requestsFor(fake, row!.id)).toHaveLength(1);
    expect(await t.app.stores.outbox.byId(row!.id)).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: morning });

    t.clock.set(morning);
    t.app.notices.dispatcher.wake();
    await t.app.notices.dispatcher.idle();
    expect(await t.app.stores.outbox.byId(row!.id)).toMatchObject({ status: 'sent', attempts: 2 });
  });
});

describe('send rate', () => {
  it('paces SMS to SMS_SEGMENTS_PER_SECOND and queues the rest instead of failing them', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake, { env: { SMS_SEGMENTS_PER_SECOND: '2' } });
    const application = { applicationNo: 'YX2026-0009', accountNo: '5300999999', phone: '13800009999', processCode: 'lv_resident' };
    await t.app.transact(async (stores) => {
      for (let i = 0; i < 6; i++) {
        // one segment each
        await t.app.notices.writer.queue(stores, 'bind_code', { kind: 'customer', application, only: { channel: 'sms', address: `1380000100${i}` } }, { code: `10000${i}`, validMinutes: 10 });
      }
    });

    const sentAfter = async (ms: number) => {
      t.clock.advance(ms);
      t.app.notices.dispatcher.wake();
      await t.app.notices.dispatcher.idle();
      return fake.requests.length;
    };
    // a burst of 2, then one every 500 ms
    expect([await sentAfter(0), await sentAfter(499), await sentAfter(1), await sentAfter(500), await sentAfter(500), await sentAfter(500)]).toEqual([
      2, 2, 3, 4, 5, 6,
    ]);
    expect(fake.requests.every((r) => r.outcome === 201)).toBe(true);
    expect(await t.app.stores.outbox.countsByChannelAndStatus()).toEqual([{ channel: 'sms', status: 'sent', count: 6 }]);
  });

  it('charges an SMS its segments: a 2-segment notice uses the budget of two', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake, { env: { SMS_SEGMENTS_PER_SECOND: '2' }, deps: { startDispatcher: false } });
    for (const no of ['YX2026-0001', 'YX2026-0002', 'YX2026-0003']) await putApplication(t, no, { requestedConnectDate: '2027-03-01' });
    // plan_created for a requested date that holds is 2 segments
    expect(await t.app.stores.outbox.countsByChannelAndStatus()).toEqual([{ channel: 'sms', status: 'pending', count: 3 }]);
    t.app.notices.dispatcher.start();

    const sentAfter = async (ms: number) => {
      t.clock.advance(ms);
      t.app.notices.dispatcher.wake();
      await t.app.notices.dispatcher.idle();
      return fake.requests.length;
    };
    expect([await sentAfter(0), await sentAfter(999), await sentAfter(1), await sentAfter(1000)]).toEqual([1, 1, 2, 3]);
  });
});
