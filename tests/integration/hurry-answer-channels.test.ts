// hurry_answered goes back by the channel the customer hurried on: the WeChat contact, the SMS number that wrote.
import { describe, expect, it } from 'vitest';
import type { mock } from 'wechaty-puppet-mock';
import type { Inbox, MockWechat } from '../support/wechaty-mock.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';
import type { TestApp } from '../support/app.ts';
import { eventually, fakeTwilioForTest, staffHeaders } from '../support/notices.ts';
import { APPLICATION_NO, APPLICATION_PHONE, QUERY_CODE, chatApp, postSms, wechatChatApp } from '../support/chat.ts';
import { askWechat } from '../support/wechaty-mock.ts';

const ask = (wx: MockWechat, contact: mock.ContactMock, inbox: Inbox, text: string, count = 1) => askWechat(wx, contact, inbox, text, count);

const REPLY = '方案已出，明天上午电话通知您来营业厅签收。';

async function answer(t: TestApp, id: string) {
  const reply = await t.app.inject({ method: 'POST', url: `/api/v1/staff/hurries/${id}/reply`, headers: await staffHeaders(t, 'H001'), payload: { text: REPLY } });
  expect(reply.statusCode).toBe(200);
  await t.app.notices.dispatcher.idle();
}

const smsWithReply = (fake: FakeTwilio) => fake.requests.filter((r) => r.body?.includes(REPLY)).map((r) => r.to);


describe('the answer to a hurry reaches the customer where they asked', () => {
  it('a hurry made in WeChat is answered in WeChat, not by SMS', async () => {
    const fake = await fakeTwilioForTest();
    const { t, wx, customer, inbox } = await wechatChatApp(fake);
    await ask(wx, customer, inbox, '绑定 5300123456');
    expect((await ask(wx, customer, inbox, `查询密码${QUERY_CODE}`))[0]).toContain('绑定成功');
    // the chat's own answer is the receipt (no hurry_received notice follows it)
    expect((await ask(wx, customer, inbox, '催一下'))[0]).toContain('已为您催办');
    const [hurry] = await t.app.hurries.ofApplication(APPLICATION_NO);
    expect(hurry).toMatchObject({ channel: 'wechat', status: 'open' });
    const before = inbox.messages.length;

    await answer(t, hurry!.id);

    const [answered] = (await inbox.waitFor(before + 1, 3000)).slice(before);
    expect(answered!.text).toBe(`您的催办已有答复。\n工单号：${APPLICATION_NO}\n受理编号：${hurry!.id}\n答复：${REPLY}`);
    const rows = (await t.app.stores.outbox.ofApplication(APPLICATION_NO)).filter((r) => r.noticeKind === 'hurry_answered');
    expect(rows.map((r) => [r.channel, r.address, r.status])).toEqual([['wechat', customer.id, 'delivered']]);
    expect(smsWithReply(fake)).toEqual([]);
  });

  it('a hurry sent by SMS from a number other than the application\'s is answered to that number', async () => {
    const fake = await fakeTwilioForTest();
    const t = await chatApp(fake);
    const other = '+8613700007777';
    await postSms(t, other, '绑定 5300123456');
    expect((await postSms(t, other, QUERY_CODE)).text).toContain('绑定成功');
    expect((await postSms(t, other, 'CB')).text).toContain('已为您催办');
    const [hurry] = await t.app.hurries.ofApplication(APPLICATION_NO);
    expect(hurry).toMatchObject({ channel: 'sms', status: 'open' });

    await answer(t, hurry!.id);

    await eventually(() => smsWithReply(fake).length > 0, 'the answer SMS');
    expect(smsWithReply(fake)).toEqual([other]);
    expect(fake.requests.filter((r) => r.to === `+86${APPLICATION_PHONE}` && r.body?.includes(hurry!.id))).toEqual([]);
  });
});
