// One store of bindings behind every channel: a binding made in the WeChat chat is where notices go, and a binding
// undone by SMS is gone for the chat, for notices and for the account's list alike.
import { describe, expect, it } from 'vitest';
import { askWechat } from '../support/wechaty-mock.ts';
import { completed, eventually, fakeTwilioForTest, postEvents, started } from '../support/notices.ts';
import { ACCOUNT_NO, APPLICATION_NO, QUERY_CODE, postSms, wechatChatApp } from '../support/chat.ts';

/** a relative's phone, not the application's: notices reach it only through its binding */
const RELATIVE = '13700007777';

describe('bindings across channels', () => {
  it('a WeChat binding receives notices; 解绑 by SMS removes that number from the chat, the notices and the account', async () => {
    const fake = await fakeTwilioForTest();
    const { t, wx, customer, inbox } = await wechatChatApp(fake);

    await askWechat(wx, customer, inbox, '绑定 5300123456');
    const [wechatBound] = await askWechat(wx, customer, inbox, `查询密码${QUERY_CODE}`);
    expect(wechatBound).toContain('绑定成功');
    await postSms(t, `+86${RELATIVE}`, '绑定 5300123456');
    expect((await postSms(t, `+86${RELATIVE}`, `查询密码${QUERY_CODE}`)).text).toContain('绑定成功');
    expect(await t.app.stores.bindings.ofAccount(ACCOUNT_NO)).toEqual(
      expect.arrayContaining([
        { channel: 'wechat', address: customer.id },
        { channel: 'sms', address: RELATIVE },
      ]),
    );

    // the next step's notice goes to both bindings
    const before = inbox.messages.length;
    await postEvents(t, [completed(APPLICATION_NO, 'plan_reply', '2026-11-24T11:00:00+08:00'), started(APPLICATION_NO, 'design_review', '2026-11-24T11:30:00+08:00')]);
    await t.app.notices.dispatcher.idle();
    await eventually(() => inbox.messages.length > before, 'the WeChat notice');
    expect(inbox.messages.slice(before).map((m) => m.text).join('\n')).toContain('设计文件审核');
    expect(fake.requests.filter((r) => r.to === `+86${RELATIVE}` && r.body?.includes('设计文件审核'))).toHaveLength(1);

    // 解绑 from the relative's phone
    expect((await postSms(t, `+86${RELATIVE}`, '解绑')).text).toContain('已解除绑定');
    expect(await t.app.stores.bindings.boundTo({ channel: 'sms', address: RELATIVE })).toEqual([]);
    expect(await t.app.stores.bindings.ofAccount(ACCOUNT_NO)).toEqual([{ channel: 'wechat', address: customer.id }]);
    const progress = (await postSms(t, `+86${RELATIVE}`, '进度')).text;
    expect(progress).toContain('绑定');
    expect(progress).not.toContain(APPLICATION_NO);

    // the following notice reaches WeChat only
    const wechatBefore = inbox.messages.length;
    const smsBefore = fake.requests.length;
    await postEvents(t, [completed(APPLICATION_NO, 'design_review', '2026-11-24T14:00:00+08:00'), started(APPLICATION_NO, 'construction', '2026-11-24T14:30:00+08:00')]);
    await t.app.notices.dispatcher.idle();
    await eventually(() => inbox.messages.length > wechatBefore, 'the second WeChat notice');
    expect(fake.requests.slice(smsBefore).filter((r) => r.to === `+86${RELATIVE}`)).toEqual([]);
    expect(fake.requests.slice(smsBefore).some((r) => r.to === '+8613800001111')).toBe(true);
  });
});
