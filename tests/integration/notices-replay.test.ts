// Issue 12 item 14: a whole application's life replayed through the sync API, as a backlog and live, with the texts
// the customer gets and their order; per-address order, superseded rows, plan changes that matter and the priority lane.
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';
import {
  buildNoticeApp,
  completed,
  eventually,
  fakeTwilioForTest,
  outboxOf,
  postEvents,
  putApplication,
  putHandler,
  staffHeaders,
  started,
} from '../support/notices.ts';
import { CATCH_UP_SETTLE_MS } from '../../server/notices/writer.ts';

const NO = 'YX2026-0101';
const PHONE = '13800001111';
const MINUTE = 60_000;
const DAY = 86_400_000;
const HV_SINGLE = ['accept', 'survey', 'plan_reply', 'design_review', 'construction', 'mid_inspection', 'completion_inspection', 'contract', 'connect'];
const STEP_NAMES: Record<string, string> = {
  accept: '业务受理',
  survey: '现场勘查',
  plan_reply: '供电方案答复',
  design_review: '设计文件审核',
  construction: '客户受电工程施工',
  mid_inspection: '中间检查',
  completion_inspection: '竣工检验',
  contract: '供用电合同签订',
  connect: '装表接电',
};
const REGULATION = '按规定，受电工程的设计、施工须委托具备相应资质的单位承担';
const iso = (ms: number) => new Date(ms).toISOString();

/** The application's customer texts as the fake Twilio got them, in order of arrival. */
const textsTo = (fake: FakeTwilio, phone = PHONE) => fake.requests.filter((r) => r.to === `+86${phone}`).map((r) => r.body ?? '');

/** What each text announces: the step it says started, or the plan / connection. */
function what(text: string): string {
  const step = /已进入“([^”]+)”环节/.exec(text);
  if (step) return `step:${Object.entries(STEP_NAMES).find(([, name]) => name === step[1])![0]}`;
  if (text.includes('接电计划已制定')) return 'plan_created';
  if (text.includes('预计接电日期由')) return 'plan_changed';
  if (text.includes('已完成装表接电')) return 'connected';
  return text;
}

async function hvApp(env: Record<string, string> = {}, now = Date.parse('2026-11-24T09:00:00+08:00')) {
  const fake = await fakeTwilioForTest();
  // the default late-event horizon (24 h), not the test default that treats replayed histories as live
  const t = await buildNoticeApp(fake, { now, env: { LATE_EVENT_HORIZON_HOURS: '24', ...env }, deps: { startSweeper: false } });
  await putHandler(t);
  return { fake, t };
}

describe('a whole hv_single application replayed live, one event a minute', () => {
  it('texts the plan, each step as it starts and the connection, in the order of the facts, with one regulatory sentence', async () => {
    // the clock runs 18 minutes while the first send is in flight: on PostgreSQL a claim older than its lease is taken
    // for a dead instance's (a live one renews it, but renewals go by the wall clock), so the lease outlasts the replay
    const { fake, t } = await hvApp({ DELIVERY_CLAIM_LEASE_MS: String(60 * MINUTE) });
    await putApplication(t, NO, { processCode: 'hv_single', acceptedAt: iso(t.clock.now()), requestedConnectDate: undefined });
    // the first send answers slowly: without per-address order the next texts would overtake it
    fake.failNext(1, { delayMs: 300 });
    for (const step of HV_SINGLE) {
      t.clock.advance(MINUTE);
      await postEvents(t, [started(NO, step, iso(t.clock.now()))]);
      t.clock.advance(MINUTE);
      await postEvents(t, [completed(NO, step, iso(t.clock.now()))]);
    }
    await eventually(async () => (await outboxOf(t, NO)).every((r) => r.status !== 'pending' && r.status !== 'sending'), 'every row settled');

    const texts = textsTo(fake);
    const order = texts.map(what);
    // each text's fact comes after the previous one's: plan, steps in process order, the connection last
    const rank = (w: string) => (w === 'plan_created' ? -1 : w === 'connected' ? 99 : HV_SINGLE.indexOf(w.slice(5)));
    expect(order.map(rank)).toEqual([...order.map(rank)].sort((a, b) => a - b));
    expect(order[0]).toBe('plan_created');
    expect(order.at(-1)).toBe('connected');
    expect(order.filter((w) => w === 'plan_changed')).toEqual([]);
    expect(texts.filter((x) => x.includes(REGULATION))).toHaveLength(1);
    // every text that went out was sent once; the rest were superseded, and say so
    const rows = (await outboxOf(t, NO)).filter((r) => r.recipientKind === 'customer');
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(texts.length);
    expect(rows.every((r) => r.status === 'sent' || r.status === 'superseded')).toBe(true);
  });
});

describe('a whole hv_single application replayed as a backlog 40 days old, one event per request', () => {
  it('updates the mirror and texts the customer once, with the state it ends in', async () => {
    const start = Date.parse('2026-11-24T09:00:00+08:00');
    const { fake, t } = await hvApp({}, start + 40 * DAY + 2 * 60 * MINUTE);
    await putApplication(t, NO, { processCode: 'hv_single', acceptedAt: iso(start), requestedConnectDate: undefined });
    let at = start;
    for (const step of HV_SINGLE) {
      await postEvents(t, [started(NO, step, iso((at += 2 * 60 * MINUTE)))]);
      await t.app.notices.dispatcher.idle();
      await postEvents(t, [completed(NO, step, iso((at += 4 * DAY)))]);
      await t.app.notices.dispatcher.idle();
    }
    expect((await t.app.stores.applications.steps(NO)).every((s) => s.status === 'done')).toBe(true);
    expect(textsTo(fake)).toEqual([]);

    t.clock.advance(CATCH_UP_SETTLE_MS);
    t.app.notices.dispatcher.wake();
    await eventually(() => textsTo(fake).length > 0, 'the catch-up text');
    await t.app.notices.dispatcher.idle();

    expect(textsTo(fake).map(what)).toEqual(['connected']);
    const statuses = (await outboxOf(t, NO)).map((r) => `${r.noticeKind}:${r.status}`);
    expect(statuses.filter((s) => s.endsWith(':sent'))).toEqual(['connected:sent']);
  });

  it('of an application still under way: one text, the step it is in, with the regulatory sentence', async () => {
    const start = Date.parse('2026-11-24T09:00:00+08:00');
    const { fake, t } = await hvApp({}, start + 40 * DAY);
    await putApplication(t, NO, { processCode: 'hv_single', acceptedAt: iso(start), requestedConnectDate: undefined });
    let at = start;
    for (const step of HV_SINGLE.slice(0, 5)) {
      await postEvents(t, [started(NO, step, iso((at += 2 * 60 * MINUTE)))]);
      await t.app.notices.dispatcher.idle();
      if (step === 'construction') break;
      await postEvents(t, [completed(NO, step, iso((at += 4 * DAY)))]);
      await t.app.notices.dispatcher.idle();
    }
    t.clock.advance(CATCH_UP_SETTLE_MS);
    t.app.notices.dispatcher.wake();
    await eventually(() => textsTo(fake).length > 0, 'the catch-up text');
    await t.app.notices.dispatcher.idle();

    const texts = textsTo(fake);
    expect(texts.map(what)).toEqual(['step:construction']);
    expect(texts[0]).toContain(REGULATION);
  });
});

describe('order per address and application', () => {
  it('sends one address its texts about one application one at a time, while another address is not held up', async () => {
    const { fake, t } = await hvApp({}, Date.parse('2026-11-24T10:00:00+08:00'));
    await t.app.notices.dispatcher.stop();
    await putApplication(t, NO, { processCode: 'lv_resident', acceptedAt: '2026-11-24T09:00:00+08:00', requestedConnectDate: undefined });
    await putApplication(t, 'YX2026-0102', { processCode: 'lv_resident', acceptedAt: '2026-11-24T09:00:00+08:00', requestedConnectDate: undefined, phone: '13800002222', accountNo: '5300777777' });
    await postEvents(t, [started(NO, 'accept', '2026-11-24T09:30:00+08:00')]);
    // the first text to PHONE answers slowly
    fake.failNext(1, { delayMs: 300 });
    t.app.notices.dispatcher.start();
    await eventually(async () => (await outboxOf(t, NO)).every((r) => r.status === 'sent') && textsTo(fake, '13800002222').length === 1, 'every text');

    const requests = fake.requests.filter((r) => r.to === `+86${PHONE}`);
    expect(requests.map((r) => what(r.body ?? ''))).toEqual(['plan_created', 'step:accept']);
    // the second text to PHONE was only sent after the first was answered; the other customer's went meanwhile
    const firstAnswered = fake.requests.indexOf(requests[0]!);
    const other = fake.requests.findIndex((r) => r.to === '+8613800002222');
    expect(other).toBeLessThan(fake.requests.indexOf(requests[1]!));
    expect(firstAnswered).toBeLessThan(fake.requests.indexOf(requests[1]!));
  });
});

describe('superseded notices', () => {
  it('does not send a queued step notice once its step has completed, and shows it superseded to staff', async () => {
    const { fake, t } = await hvApp({}, Date.parse('2026-11-24T10:00:00+08:00'));
    await t.app.notices.dispatcher.stop();
    await putApplication(t, NO, { processCode: 'lv_resident', acceptedAt: '2026-11-24T09:00:00+08:00', requestedConnectDate: undefined });
    await postEvents(t, [started(NO, 'accept', '2026-11-24T09:30:00+08:00')]);
    await postEvents(t, [completed(NO, 'accept', '2026-11-24T09:50:00+08:00'), started(NO, 'survey', '2026-11-24T09:55:00+08:00')]);
    t.app.notices.dispatcher.start();
    await t.app.notices.dispatcher.idle();

    expect(textsTo(fake).map(what)).toEqual(['plan_created', 'step:survey']);
    const detail = await t.app.inject({ method: 'GET', url: `/api/v1/staff/applications/${NO}`, headers: await staffHeaders(t) });
    const accept = detail.json().notifications.find((n: { text: string }) => n.text.includes('“业务受理”'));
    expect(accept).toMatchObject({ kind: 'step_started', status: 'superseded', lastError: 'superseded: the step has completed', sentAt: null });
  });

  it('sends a hurry receipt even when notices about the application wait before it', async () => {
    const { fake, t } = await hvApp({ QUIET_HOURS: '22:00-08:00' }, Date.parse('2026-11-24T23:00:00+08:00'));
    await putApplication(t, NO, { processCode: 'lv_resident', acceptedAt: '2026-11-24T09:00:00+08:00', requestedConnectDate: undefined });
    await postEvents(t, [started(NO, 'accept', '2026-11-24T22:30:00+08:00')]);
    await t.app.notices.dispatcher.idle();
    // night: the plan and step notices wait for 08:00
    expect(textsTo(fake)).toEqual([]);
    const view = await t.app.inject({ method: 'POST', url: '/api/v1/progress/query', payload: { accountNo: '5300123456', queryCode: '482913' } });
    const pressed = await t.app.inject({ method: 'POST', url: `/api/v1/applications/${NO}/hurry`, headers: { authorization: `Bearer ${view.json().viewToken}` }, payload: {} });
    expect(pressed.statusCode).toBe(202);
    await eventually(() => textsTo(fake).length === 1, 'the hurry receipt');
    expect(textsTo(fake)[0]).toContain('催办已收到');
  });
});

describe('plan changes', () => {
  async function planMoves(t: TestApp, requested: string[]) {
    for (const date of requested) {
      await putApplication(t, NO, { processCode: 'lv_resident', acceptedAt: '2026-11-24T09:00:00+08:00', requestedConnectDate: date });
      await t.app.notices.dispatcher.idle();
    }
  }

  it('texts a move later by at least PLAN_CHANGE_MIN_WORKDAYS, lets smaller and earlier moves ride along, and at most one a day', async () => {
    const { fake, t } = await hvApp({}, Date.parse('2026-11-24T10:00:00+08:00'));
    // 12-15 (Tue) → 12-16 (+1 workday) → 12-14 (earlier) → 12-21 (+5 workdays from 12-14) → 12-31 (again later, same day)
    await planMoves(t, ['2026-12-15', '2026-12-16', '2026-12-14', '2026-12-21', '2026-12-31']);

    const texts = textsTo(fake);
    expect(texts.map(what)).toEqual(['plan_created', 'plan_changed']);
    expect(texts[1]).toContain('预计接电日期由12月14日（周一）调整为12月21日（周一）');
    // the second large move of the day waits for tomorrow
    const waiting = (await outboxOf(t, NO)).filter((r) => r.noticeKind === 'plan_changed' && r.status === 'pending');
    expect(waiting).toHaveLength(1);
    expect(waiting[0]!.text).toContain('调整为12月31日');
    expect(waiting[0]!.nextAttemptAt).toBeGreaterThanOrEqual(Date.parse('2026-11-25T00:00:00+08:00'));
  });

  it('texts a change of feasibility however small the move', async () => {
    const { fake, t } = await hvApp({}, Date.parse('2026-11-24T10:00:00+08:00'));
    // lv_resident takes about five workdays: 11-25 cannot be met, 12-15 can
    await planMoves(t, ['2026-12-15', '2026-11-25']);
    const texts = textsTo(fake);
    expect(texts.map(what)).toEqual(['plan_created', 'plan_changed']);
    expect(texts[1]).toContain('无法满足');
  });
});

describe('the priority lane', () => {
  it('sends a binding code ahead of notices already queued, in the next free slot of the paced channel', async () => {
    const { fake, t } = await hvApp({ SMS_SEGMENTS_PER_SECOND: '1' }, Date.parse('2026-11-24T10:00:00+08:00'));
    for (let i = 0; i < 5; i++) {
      await putApplication(t, `YX2026-02${i}`, { processCode: 'lv_resident', acceptedAt: '2026-11-24T09:00:00+08:00', requestedConnectDate: undefined, phone: `1390000000${i}`, accountNo: `530000000${i}` });
    }
    await eventually(() => fake.requests.length === 1, 'the first paced text');
    await t.app.chat.turns.handleSms({ from: '+8613900000003', to: '+15005550006', text: 'BD 5300000003', providerMessageId: 'SM-bind-1' });
    // two segments' worth of time: a queued 2-segment notice would take it all; the 1-segment code goes first
    t.clock.advance(2000);
    t.app.notices.dispatcher.wake();
    await eventually(() => fake.requests.length === 2, 'the next text');
    expect(fake.requests[1]!.body).toContain('验证码');
  });
});
