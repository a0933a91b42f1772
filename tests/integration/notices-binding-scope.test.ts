// Customer notices follow what a binding proved: a WeChat contact or SMS number bound for some of an account's
// applications (a query code: its own; a binding code: those with the phone it went to) is told of those only, not
// of another application of the same account (another site, another phone and query code).
import { describe, expect, it } from 'vitest';
import type { mock } from 'wechaty-puppet-mock';
import { createMockWechat, type Inbox, type MockWechat } from '../support/wechaty-mock.ts';
import type { TestApp } from '../support/app.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';
import { completed, eventually, fakeTwilioForTest, postEvents, putApplication, started } from '../support/notices.ts';
import { ACCOUNT_NO, APPLICATION_NO, QUERY_CODE, chatApp, postSms } from '../support/chat.ts';
import { normalizeSmsAddress } from '../../channels/sms-inbound.ts';
import { askWechat } from '../support/wechaty-mock.ts';

const ask = async (wx: MockWechat, contact: mock.ContactMock, inbox: Inbox, text: string) => (await askWechat(wx, contact, inbox, text)).join('\n');

/** Same account, a later application with another phone and query code (the binding code goes to its phone). */
const OTHER = { applicationNo: 'YX2026-0002', phone: '13800002222', queryCode: '731264' };

async function twoApplications() {
  const fake = await fakeTwilioForTest();
  const wx = createMockWechat();
  const t = await chatApp(fake, { deps: { wechaty: wx.bot } });
  await wx.login();
  await putApplication(t, OTHER.applicationNo, { phone: OTHER.phone, queryCode: OTHER.queryCode, acceptedAt: '2026-11-22T09:00:00+08:00' });
  await t.app.notices.dispatcher.idle();
  return { fake, t, wx };
}

/** The customer writes; resolves with the bot's next message to them. */

/** A step starts on each application: design_review on YX2026-0001, accept on YX2026-0002. */
async function stepsStartOnBoth(t: TestApp): Promise<void> {
  await postEvents(t, [
    completed(APPLICATION_NO, 'plan_reply', '2026-11-24T09:20:00+08:00'),
    started(APPLICATION_NO, 'design_review', '2026-11-24T09:30:00+08:00'),
    started(OTHER.applicationNo, 'accept', '2026-11-24T09:40:00+08:00'),
  ]);
  await t.app.notices.dispatcher.idle();
}

const stepStartedTo = async (t: TestApp, applicationNo: string, channel: string, address: string) =>
  (await t.app.stores.outbox.ofApplication(applicationNo)).filter((r) => r.noticeKind === 'step_started' && r.channel === channel && r.address === address);
const anythingTo = async (t: TestApp, applicationNo: string, channel: string, address: string) =>
  (await t.app.stores.outbox.ofApplication(applicationNo)).filter((r) => r.channel === channel && r.address === address);
/** the binding's recorded scope as kept (null: kept before scopes were); undefined when there is no such binding */
const scopeOf = async (t: TestApp, channel: string, address: string): Promise<unknown> => {
  const [row] = await t.sql('SELECT application_nos FROM channel_bindings WHERE channel = ? AND address = ? AND account_no = ?', channel, address, ACCOUNT_NO);
  // SQLite keeps JSON text, PostgreSQL jsonb
  return typeof row?.application_nos === 'string' ? JSON.parse(row.application_nos) : row?.application_nos;
};

async function bindCodeSent(fake: FakeTwilio, t: TestApp): Promise<string> {
  // newest first; every one to the latest application's phone
  const rows = (await t.app.stores.outbox.ofApplication(OTHER.applicationNo)).filter((r) => r.noticeKind === 'bind_code');
  expect(new Set(rows.map((r) => r.address))).toEqual(new Set([OTHER.phone]));
  await t.app.notices.dispatcher.idle();
  expect(fake.requests.some((r) => r.to === `+86${OTHER.phone}` && r.body?.includes('验证码'))).toBe(true);
  return /(\d{6})/.exec(rows[0]!.text)![1]!;
}

describe('notices to a binding that proved some of the account\'s applications', () => {
  it('a WeChat contact bound with one application\'s query code gets that application\'s step_started notice, not the other\'s', async () => {
    const { t, wx } = await twoApplications();
    const customer = wx.createContact({ name: '王女士' });
    const inbox = wx.inboxOf(customer);
    await ask(wx, customer, inbox, '绑定 5300123456');
    expect(await ask(wx, customer, inbox, QUERY_CODE)).toContain('绑定成功');
    expect(await scopeOf(t, 'wechat', customer.id)).toEqual([APPLICATION_NO]);

    const before = inbox.messages.length;
    await stepsStartOnBoth(t);

    const [row] = await stepStartedTo(t, APPLICATION_NO, 'wechat', customer.id);
    expect(row).toMatchObject({ status: 'delivered', provider: 'wechaty' });
    const received = await inbox.waitFor(before + 1);
    expect(received.slice(before).map((m) => m.text)).toEqual([row!.text]);
    expect(row!.text).toContain(`工单号：${APPLICATION_NO}`);
    // the other application: none of its notices (plan or step) to this contact, while its own phone is told
    expect(await anythingTo(t, OTHER.applicationNo, 'wechat', customer.id)).toEqual([]);
    expect(await stepStartedTo(t, OTHER.applicationNo, 'sms', OTHER.phone)).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(inbox.messages.map((m) => m.text ?? '').join('\n')).not.toContain(OTHER.applicationNo);
  });

  it('an SMS number bound by binding code gets the notices of the applications with the phone the code went to only', async () => {
    const { fake, t } = await twoApplications();
    const from = '+8613700008888';
    const address = normalizeSmsAddress(from);
    await postSms(t, from, 'BD 5300123456');
    expect((await postSms(t, from, await bindCodeSent(fake, t))).text).toContain('绑定成功');
    expect(await scopeOf(t, 'sms', address)).toEqual([OTHER.applicationNo]);

    await stepsStartOnBoth(t);

    const [row] = await stepStartedTo(t, OTHER.applicationNo, 'sms', address);
    expect(row).toMatchObject({ status: 'sent', provider: 'twilio' });
    expect(await anythingTo(t, APPLICATION_NO, 'sms', address)).toEqual([]);
    const texted = fake.requests.filter((r) => r.to === from).map((r) => r.body ?? '');
    expect(texted.some((body) => body.includes(`${OTHER.applicationNo}已进入“业务受理”环节`))).toBe(true);
    expect(texted.some((body) => body.includes(APPLICATION_NO))).toBe(false);
  });

  it('a contact that later proves the other application too gets the notices of both', async () => {
    const { t, wx } = await twoApplications();
    const customer = wx.createContact({ name: '王女士' });
    const inbox = wx.inboxOf(customer);
    await ask(wx, customer, inbox, '绑定 5300123456');
    expect(await ask(wx, customer, inbox, QUERY_CODE)).toContain('绑定成功');
    await ask(wx, customer, inbox, '绑定 5300123456');
    expect(await ask(wx, customer, inbox, OTHER.queryCode)).toContain('绑定成功');
    expect(await scopeOf(t, 'wechat', customer.id)).toEqual([APPLICATION_NO, OTHER.applicationNo]);
    expect(await ask(wx, customer, inbox, '进度')).toContain('您有2个在办工单');

    await stepsStartOnBoth(t);

    expect(await stepStartedTo(t, APPLICATION_NO, 'wechat', customer.id)).toHaveLength(1);
    expect(await stepStartedTo(t, OTHER.applicationNo, 'wechat', customer.id)).toHaveLength(1);
    const said = () => inbox.messages.map((m) => m.text ?? '').join('\n');
    await eventually(() => said().includes(`工单号：${APPLICATION_NO}`) && said().includes(`工单号：${OTHER.applicationNo}`), 'both step notices in WeChat');
  });

  it('unsubscribing (退订 / TD) still stops every notice on that channel, whatever the binding covers', async () => {
    const { fake, t, wx } = await twoApplications();
    const customer = wx.createContact({ name: '王女士' });
    const inbox = wx.inboxOf(customer);
    for (const code of [QUERY_CODE, OTHER.queryCode]) {
      await ask(wx, customer, inbox, '绑定 5300123456');
      expect(await ask(wx, customer, inbox, code)).toContain('绑定成功');
    }
    expect(await ask(wx, customer, inbox, '退订')).toContain('本微信将不再收到办电通知');
    const from = '+8613700008888';
    const address = normalizeSmsAddress(from);
    await postSms(t, from, 'BD 5300123456');
    await postSms(t, from, await bindCodeSent(fake, t));
    await postSms(t, from, 'TD');
    expect(await t.app.stores.outbox.isOptedOut('sms', address)).toBe(true);
    const messages = inbox.messages.length;
    const toOwnPhone = (await stepStartedTo(t, APPLICATION_NO, 'sms', '13800001111')).length;

    await stepsStartOnBoth(t);

    for (const applicationNo of [APPLICATION_NO, OTHER.applicationNo]) {
      expect(await anythingTo(t, applicationNo, 'wechat', customer.id)).toEqual([]);
      expect(await stepStartedTo(t, applicationNo, 'sms', address)).toEqual([]);
    }
    // the applications' own phones are still told
    expect(await stepStartedTo(t, APPLICATION_NO, 'sms', '13800001111')).toHaveLength(toOwnPhone + 1);
    expect(await stepStartedTo(t, OTHER.applicationNo, 'sms', OTHER.phone)).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(inbox.messages.length).toBe(messages);
  });
});

describe('a binding kept before scopes were (application_nos NULL)', () => {
  it('is read as the chat reads it: the applications with the latest application\'s phone, for notices too; proving another adds it', async () => {
    const { t, wx } = await twoApplications();
    const customer = wx.createContact({ name: '王女士' });
    const inbox = wx.inboxOf(customer);
    await t.app.stores.bindings.bind({ channel: 'wechat', address: customer.id, accountNo: ACCOUNT_NO, at: t.clock.now(), applicationNos: null });
    expect(await scopeOf(t, 'wechat', customer.id)).toBeNull();
    const progress = await ask(wx, customer, inbox, '进度');
    expect(progress).toContain(`工单${OTHER.applicationNo}`);
    expect(progress).not.toContain(APPLICATION_NO);

    await stepsStartOnBoth(t);
    expect(await stepStartedTo(t, OTHER.applicationNo, 'wechat', customer.id)).toHaveLength(1);
    expect(await anythingTo(t, APPLICATION_NO, 'wechat', customer.id)).toEqual([]);

    // proving the first application adds it to what the binding was read as covering
    await ask(wx, customer, inbox, '绑定 5300123456');
    expect(await ask(wx, customer, inbox, QUERY_CODE)).toContain('绑定成功');
    expect(await scopeOf(t, 'wechat', customer.id)).toEqual([OTHER.applicationNo, APPLICATION_NO]);
  });
});
