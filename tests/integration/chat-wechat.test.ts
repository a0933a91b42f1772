// The chatbot over WeChat: a real Wechaty bot on wechaty-puppet-mock, started and stopped with the app; binding
// codes go out by SMS through the fake Twilio.
import { describe, expect, it } from 'vitest';
import type { mock } from 'wechaty-puppet-mock';
import type { Message } from 'wechaty';
import { createMockWechat, until, type Inbox, type MockWechat } from '../support/wechaty-mock.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';
import type { TestApp } from '../support/app.ts';
import { eventually, fakeTwilioForTest, putApplication } from '../support/notices.ts';
import { ACCOUNT_NO, APPLICATION_NO, APPLICATION_PHONE, SECRETS, chatApp } from '../support/chat.ts';
import { askWechat } from '../support/wechaty-mock.ts';

const ask = (wx: MockWechat, contact: mock.ContactMock, inbox: Inbox, text: string, count = 1) => askWechat(wx, contact, inbox, text, count);

async function wechatApp() {
  const fake = await fakeTwilioForTest();
  const wx = createMockWechat();
  const t = await chatApp(fake, { deps: { wechaty: wx.bot } });
  await wx.login();
  return { fake, t, wx };
}

/** The customer writes; resolves with the bot's next message(s) to them. */

async function codeReceived(fake: FakeTwilio, t: TestApp, after: number): Promise<string> {
  await t.app.notices.dispatcher.idle();
  let code: string | undefined;
  await eventually(() => {
    const sms = fake.requests.slice(after).find((r) => r.to === `+86${APPLICATION_PHONE}` && r.body?.includes('验证码'));
    code = sms?.body ? /(\d{6})/.exec(sms.body)?.[1] : undefined;
    return code !== undefined;
  }, 'the binding code SMS');
  return code!;
}

describe('chat over WeChat (Wechaty)', () => {
  it('binds the contact, answers progress, hurries through the hurry service, and unsubscribes the contact', async () => {
    const { fake, t, wx } = await wechatApp();
    const customer = wx.createContact({ name: '王女士' });
    const inbox = wx.inboxOf(customer);

    const [guide] = await ask(wx, customer, inbox, '我的申请到哪一步了');
    expect(guide).toContain('绑定');
    expect(guide).not.toContain(APPLICATION_NO);

    const sent = fake.requests.length;
    const [asked] = await ask(wx, customer, inbox, '绑定 5300123456');
    expect(asked).toContain('验证码已发送');
    const code = await codeReceived(fake, t, sent);
    const [done] = await ask(wx, customer, inbox, code);
    expect(done).toContain('绑定成功');
    expect(done).toContain('本微信');
    expect(await t.app.stores.bindings.ofAccount(ACCOUNT_NO)).toContainEqual({ channel: 'wechat', address: customer.id });

    const [progress] = await ask(wx, customer, inbox, '进度');
    expect(progress).toContain(`工单${APPLICATION_NO}（高压新装增容（单电源））`);
    expect(progress).toContain('当前：供电方案答复');
    const [date] = await ask(wx, customer, inbox, '什么时候能通电？');
    expect(date).toContain('预计通电日期');
    const [contact] = await ask(wx, customer, inbox, '经办人电话');
    expect(contact).toContain('13912345678');

    // the chat reply is the receipt: it carries the reference number, and no hurry_received notice follows it
    const [hurried] = await ask(wx, customer, inbox, '能不能快点，等着开业');
    const [request] = await t.app.hurries.ofApplication(APPLICATION_NO);
    expect(request).toMatchObject({ channel: 'wechat', message: '能不能快点，等着开业' });
    expect(hurried).toBe(`已为您催办（编号${request!.id}），“供电方案答复”环节的经办人李*会尽快处理，结果会通知您。`);
    const afterHurry = inbox.messages.length;
    await t.app.notices.dispatcher.idle();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(inbox.messages.length).toBe(afterHurry);
    expect((await t.app.stores.outbox.ofApplication(APPLICATION_NO)).filter((r) => r.noticeKind === 'hurry_received')).toEqual([]);
    // the handler is still told
    expect((await t.app.stores.outbox.ofApplication(APPLICATION_NO)).filter((r) => r.noticeKind === 'hurry_for_handler').map((r) => r.address)).toEqual(['13912345678']);
    const [cooldown] = await ask(wx, customer, inbox, '催一下');
    expect(cooldown).toContain('已在催办中');

    const [optOut] = await ask(wx, customer, inbox, '退订');
    expect(optOut).toContain('本微信将不再收到办电通知');
    expect(await t.app.stores.outbox.isOptedOut('wechat', customer.id)).toBe(true);
    expect(await t.app.stores.outbox.isOptedOut('sms', APPLICATION_PHONE)).toBe(false);

    const transcript = await t.app.chat.turns.transcript('wechat', customer.id);
    expect(transcript.filter((m) => m.direction === 'in')).toHaveLength(9);
    expect(transcript.find((m) => m.direction === 'in' && m.intent === 'bind_account' && m.text === '******')).toBeDefined();
  });

  it('understands traditional characters and answers from the knowledge base', async () => {
    const { wx } = await wechatApp();
    const customer = wx.createContact();
    const inbox = wx.inboxOf(customer);
    const [materials] = await ask(wx, customer, inbox, '居民新裝需要什麼材料？');
    expect(materials).toContain('身份证明');
    const [outage] = await ask(wx, customer, inbox, '家裡突然停電了怎麼辦');
    expect(outage).toContain('95598');
    const [unknown] = await ask(wx, customer, inbox, '推荐一部好看的电影');
    expect(unknown).toContain('没有找到答案');
  });

  it('tells a bound contact nothing about an account it is not bound to', async () => {
    const { fake, t, wx } = await wechatApp();
    await putApplication(t, 'YX2026-0009', { accountNo: '5300999999', customerName: '红塔区某某超市', phone: '13800009999' });
    const customer = wx.createContact();
    const inbox = wx.inboxOf(customer);
    const sent = fake.requests.length;
    await ask(wx, customer, inbox, '绑定 5300123456');
    await ask(wx, customer, inbox, await codeReceived(fake, t, sent));

    const [other] = await ask(wx, customer, inbox, 'YX2026-0009的进度');
    expect(other).toContain('没有找到这个工单');
    const [otherAccount] = await ask(wx, customer, inbox, '5300999999的经办人电话');
    expect(otherAccount).toContain('需先验证身份');
    for (const text of [other, otherAccount]) for (const secret of ['YX2026-0009进', '超市', '13800009999', '9999']) expect(text).not.toContain(secret);
  });

  it('ignores group chatter, and in a group where it is mentioned answers only what is not private', async () => {
    const { wx, t } = await wechatApp();
    const customer = wx.createContact({ name: '张先生' });
    const room = wx.mocker.createRoom({ topic: '业扩客户群', memberIdList: [wx.botUser.id, customer.id] });
    const said: string[] = [];
    wx.bot.on('message', (message: Message) => {
      if (message.self() && message.room()?.id === room.id) said.push(message.text());
    });

    customer.say('大家好，我的申请到哪一步了').to(room);
    customer.say('@接电助手 停电了找谁', [wx.botUser]).to(room);
    await until(() => said.length >= 1, 3000, 'the answer in the group');
    expect(said[0]).toContain('95598');

    customer.say('@接电助手 我的申请到哪一步了', [wx.botUser]).to(room);
    await until(() => said.length >= 2, 3000, 'the second answer in the group');
    expect(said[1]).toContain('私聊');
    for (const secret of SECRETS) expect(said.join()).not.toContain(secret);
    // the unmentioned message never reached the chat service
    expect((await t.app.chat.turns.transcript('wechat', customer.id)).filter((m) => m.direction === 'in').map((m) => m.text)).toEqual(['停电了找谁', '我的申请到哪一步了']);
  });

  it('stops answering when the app closes (the bot stops with it)', async () => {
    const { t, wx } = await wechatApp();
    expect(wx.bot.isLoggedIn).toBe(true);
    await t.app.close();
    expect(wx.bot.isLoggedIn).toBe(false);
  });
});
