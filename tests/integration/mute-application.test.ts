// Muting one application's notices (免打扰): TD <申请编号> by SMS, "这个申请不用再通知我了" in WeChat, the kiosk's
// switch; BD <申请编号> or the switch again to undo; the mandatory answer to a hurry still goes out.
import { describe, expect, it } from 'vitest';
import type { mock } from 'wechaty-puppet-mock';
import type { FakeTwilio } from '../support/fake-twilio.ts';
import type { TestApp } from '../support/app.ts';
import { completed, eventually, fakeTwilioForTest, postEvents, putApplication, staffHeaders, started } from '../support/notices.ts';
import { ACCOUNT_NO, APPLICATION_NO, APPLICATION_PHONE, QUERY_CODE, chatApp, postSms } from '../support/chat.ts';
import { createMockWechat, type Inbox, type MockWechat } from '../support/wechaty-mock.ts';
import { askWechat } from '../support/wechaty-mock.ts';

const ask = async (wx: MockWechat, contact: mock.ContactMock, inbox: Inbox, text: string) => (await askWechat(wx, contact, inbox, text))[0] ?? '';

const OTHER_NO = 'YX2026-0002';
const CUSTOMER = `+86${APPLICATION_PHONE}`;

/** a second application of the same account and phone, in acceptance */
async function secondApplication(t: TestApp, { dispatching = true } = {}) {
  await putApplication(t, OTHER_NO, { processCode: 'lv_business', requestedConnectDate: undefined, acceptedAt: '2026-11-24T09:00:00+08:00' });
  if (dispatching) await t.app.notices.dispatcher.idle();
}

/** SMS the fake Twilio sent to the customer's phone after `from` (an index into its requests) */
const textsToCustomer = (fake: FakeTwilio, from = 0) => fake.requests.slice(from).filter((r) => r.to === CUSTOMER).map((r) => r.body ?? '');

async function bindBySms(t: TestApp) {
  await postSms(t, CUSTOMER, `绑定 ${ACCOUNT_NO}`);
  expect((await postSms(t, CUSTOMER, QUERY_CODE)).text).toContain('绑定成功');
}

/** design review starts on the first application; survey on the second */
async function bothMove(t: TestApp) {
  await postEvents(t, [
    completed(APPLICATION_NO, 'plan_reply', '2026-11-24T15:00:00+08:00'),
    started(APPLICATION_NO, 'design_review', '2026-11-24T15:30:00+08:00'),
    started(OTHER_NO, 'accept', '2026-11-24T09:00:00+08:00'),
    completed(OTHER_NO, 'accept', '2026-11-24T10:00:00+08:00'),
    started(OTHER_NO, 'survey', '2026-11-24T15:30:00+08:00'),
  ]);
  await t.app.notices.dispatcher.idle();
}

describe('muting one application', () => {
  it('TD <applicationNo> by SMS stops that application\'s notices and not another\'s; BD <applicationNo> brings them back', async () => {
    const fake = await fakeTwilioForTest();
    const t = await chatApp(fake, { now: Date.parse('2026-11-24T15:00:00+08:00') });
    await secondApplication(t);
    await bindBySms(t);

    const muted = await postSms(t, CUSTOMER, 'TD YX2026-0001');
    expect(muted.text).toContain('将不再收到申请YX2026-0001的进度通知');
    expect(muted.text).toContain('BD YX2026-0001');

    const before = fake.requests.length;
    await bothMove(t);
    const texts = textsToCustomer(fake, before);
    expect(texts.some((text) => text.includes('设计文件审核'))).toBe(false);
    expect(texts.some((text) => text.includes(OTHER_NO) && text.includes('现场勘查'))).toBe(true);

    // the staff page shows who muted what, and when
    const staff = await t.app.inject({ method: 'GET', url: `/api/v1/staff/applications/${APPLICATION_NO}`, headers: await staffHeaders(t, 'H001') });
    expect(staff.json().mutes).toEqual([{ channel: 'sms', address: APPLICATION_PHONE, source: 'sms', mutedAt: '2026-11-24T15:00:00+08:00', unmutedAt: null }]);

    // written together (as customers type it) works too, and unmuting brings the next notice
    expect((await postSms(t, CUSTOMER, 'bdyx2026-0001')).text).toContain('已恢复申请YX2026-0001的进度通知');
    const after = fake.requests.length;
    await postEvents(t, [completed(APPLICATION_NO, 'design_review', '2026-11-24T16:00:00+08:00'), started(APPLICATION_NO, 'construction', '2026-11-24T16:30:00+08:00')]);
    await t.app.notices.dispatcher.idle();
    expect(textsToCustomer(fake, after).some((text) => text.includes('客户受电工程施工'))).toBe(true);
    const lifted = await t.app.inject({ method: 'GET', url: `/api/v1/staff/applications/${APPLICATION_NO}`, headers: await staffHeaders(t, 'H001') });
    expect(lifted.json().mutes).toEqual([expect.objectContaining({ channel: 'sms', unmutedAt: '2026-11-24T15:00:00+08:00' })]);
  });

  it('holds back a notice queued before the mute, and refuses to mute an application the sender has not proved', async () => {
    const fake = await fakeTwilioForTest();
    const t = await chatApp(fake, { deps: { startDispatcher: false } });
    await secondApplication(t, { dispatching: false });
    await bindBySms(t);
    await postEvents(t, [completed(APPLICATION_NO, 'plan_reply', '2026-11-24T15:00:00+08:00'), started(APPLICATION_NO, 'design_review', '2026-11-24T15:30:00+08:00')]);
    const queued = (await t.app.stores.outbox.ofApplication(APPLICATION_NO)).filter((r) => r.noticeKind === 'step_started' && (r.variables as { step: { name: string } }).step.name === '设计文件审核');
    expect(queued).toHaveLength(1);

    expect((await postSms(t, CUSTOMER, 'TD YX2026-0001')).text).toContain('将不再收到申请YX2026-0001');
    expect((await postSms(t, '+8613700007777', 'TD YX2026-0001')).text).not.toContain('将不再收到');
    t.app.notices.dispatcher.start();
    await t.app.notices.dispatcher.idle();
    expect(fake.requests.some((r) => r.body?.includes('设计文件审核'))).toBe(false);
    const row = (await t.app.stores.outbox.ofApplication(APPLICATION_NO)).find((r) => r.id === queued[0]!.id)!;
    expect([row.status, row.lastError]).toEqual(['failed', 'muted by the customer']);
  });

  it('still sends the answer to a hurry to a customer who muted the application', async () => {
    const fake = await fakeTwilioForTest();
    const t = await chatApp(fake);
    await bindBySms(t);
    expect((await postSms(t, CUSTOMER, 'TD YX2026-0001')).text).toContain('将不再收到申请YX2026-0001');
    expect((await postSms(t, CUSTOMER, 'CB')).text).toContain('已为您催办');
    const [hurry] = await t.app.hurries.ofApplication(APPLICATION_NO);
    const reply = await t.app.inject({ method: 'POST', url: `/api/v1/staff/hurries/${hurry!.id}/reply`, headers: await staffHeaders(t, 'H001'), payload: { text: '方案明天出' } });
    expect(reply.statusCode).toBe(200);
    await t.app.notices.dispatcher.idle();
    await eventually(() => textsToCustomer(fake).some((text) => text.includes('方案明天出')), 'the hurry answer SMS');
  });

  it('TD alone still stops every notice on the channel', async () => {
    const fake = await fakeTwilioForTest();
    const t = await chatApp(fake);
    await secondApplication(t);
    await bindBySms(t);
    expect((await postSms(t, CUSTOMER, 'TD')).text).toContain('已退订');
    const before = fake.requests.length;
    await bothMove(t);
    expect(textsToCustomer(fake, before)).toEqual([]);
  });
});


describe('muting in WeChat', () => {
  it('mutes the application chosen after "这个申请不用再通知我了", for this contact only', async () => {
    const fake = await fakeTwilioForTest();
    const wx = createMockWechat();
    const t = await chatApp(fake, { deps: { wechaty: wx.bot } });
    await secondApplication(t);
    await wx.login();
    const customer = wx.createContact({ name: '王女士' });
    const inbox = wx.inboxOf(customer);
    await ask(wx, customer, inbox, `绑定 ${ACCOUNT_NO}`);
    expect(await ask(wx, customer, inbox, `查询密码${QUERY_CODE}`)).toContain('绑定成功');

    const choice = await ask(wx, customer, inbox, '这个申请不用再通知我了');
    expect(choice).toContain(APPLICATION_NO);
    expect(choice).toContain(OTHER_NO);
    const picked = choice.indexOf(APPLICATION_NO) < choice.indexOf(OTHER_NO) ? '1' : '2';
    expect(await ask(wx, customer, inbox, picked)).toContain('本微信将不再收到申请YX2026-0001的进度通知');

    const before = inbox.messages.length;
    const smsBefore = fake.requests.length;
    await bothMove(t);
    // WeChat gets the other application's notice only; the phone (not muted) still gets both
    await eventually(() => inbox.messages.length > before, 'a WeChat notice');
    const wechat = inbox.messages.slice(before).map((m) => m.text ?? '');
    expect(wechat.some((text) => text.includes(OTHER_NO))).toBe(true);
    expect(wechat.some((text) => text.includes('设计文件审核'))).toBe(false);
    expect(textsToCustomer(fake, smsBefore).some((text) => text.includes('设计文件审核'))).toBe(true);

    expect(await ask(wx, customer, inbox, '恢复通知 YX2026-0001')).toContain('已恢复申请YX2026-0001的进度通知');
  });
});

describe('the kiosk\'s switch', () => {
  it('mutes every address of one application and shows its state; switching back brings the notices back', async () => {
    const fake = await fakeTwilioForTest();
    const t = await chatApp(fake, { now: Date.parse('2026-11-24T15:00:00+08:00') });
    await secondApplication(t);
    const query = await t.app.inject({ method: 'POST', url: '/api/v1/progress/query', payload: { accountNo: ACCOUNT_NO, queryCode: QUERY_CODE } });
    const headers = { authorization: `Bearer ${query.json().viewToken}` };
    const url = `/api/v1/applications/${APPLICATION_NO}/notifications`;

    expect((await t.app.inject({ method: 'GET', url, headers })).json()).toEqual({ notifications: { muted: false, mutedAt: null } });
    const set = await t.app.inject({ method: 'PUT', url, headers, payload: { muted: true } });
    expect(set.json()).toEqual({ notifications: { muted: true, mutedAt: '2026-11-24T15:00:00+08:00' } });
    expect((await t.app.inject({ method: 'PUT', url, headers, payload: { muted: 'yes' } })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'PUT', url, payload: { muted: true } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'PUT', url: '/api/v1/applications/YX2099-0001/notifications', headers, payload: { muted: true } })).statusCode).toBe(404);

    const before = fake.requests.length;
    await bothMove(t);
    const texts = textsToCustomer(fake, before);
    expect(texts.some((text) => text.includes('设计文件审核'))).toBe(false);
    expect(texts.some((text) => text.includes(OTHER_NO))).toBe(true);

    expect((await t.app.inject({ method: 'PUT', url, headers, payload: { muted: false } })).json()).toEqual({ notifications: { muted: false, mutedAt: null } });
    const staff = await t.app.inject({ method: 'GET', url: `/api/v1/staff/applications/${APPLICATION_NO}`, headers: await staffHeaders(t, 'H001') });
    expect(staff.json().mutes).toEqual([{ channel: '*', address: '*', source: 'kiosk', mutedAt: '2026-11-24T15:00:00+08:00', unmutedAt: '2026-11-24T15:00:00+08:00' }]);
  });
});
