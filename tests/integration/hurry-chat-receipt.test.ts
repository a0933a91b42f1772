// One receipt per hurry. Hurried in SMS or WeChat chat, the chat's reply (with the reference number) is the receipt:
// no hurry_received notice follows it on the same channel and address. Hurried at a kiosk — by the button or in the
// kiosk chat — the customer walks away, so the hurry_received SMS still goes to the application's phone.
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';
import { fakeTwilioForTest } from '../support/notices.ts';
import { ACCOUNT_NO, APPLICATION_NO, APPLICATION_PHONE, QUERY_CODE, chatApp, kiosk, postSms , kioskViewToken as viewToken } from '../support/chat.ts';

const receipts = async (t: TestApp) => (await t.app.stores.outbox.ofApplication(APPLICATION_NO)).filter((r) => r.noticeKind === 'hurry_received');
const smsTo = (fake: FakeTwilio, phone: string) => fake.requests.filter((r) => r.to === `+86${phone}`).map((r) => r.body ?? '');


describe('the receipt of a hurry', () => {
  it('made by SMS chat is the chat reply alone: it carries the reference number, and no hurry_received SMS follows', async () => {
    const fake = await fakeTwilioForTest();
    const t = await chatApp(fake);
    // the application's own phone writes: the number a hurry_received SMS would go to
    const from = `+86${APPLICATION_PHONE}`;
    await postSms(t, from, '绑定 5300123456');
    expect((await postSms(t, from, QUERY_CODE)).text).toContain('绑定成功');
    await t.app.notices.dispatcher.idle();
    const before = smsTo(fake, APPLICATION_PHONE).length;

    const reply = await postSms(t, from, '催一下，厂里等着开工');

    const [hurry] = await t.app.hurries.ofApplication(APPLICATION_NO);
    expect(hurry).toMatchObject({ channel: 'sms', status: 'open' });
    expect(reply.text).toBe(`【接电助手】已为您催办（编号${hurry!.id}），“供电方案答复”环节的经办人李*会尽快处理，结果会通知您。`);
    await t.app.notices.dispatcher.idle();
    expect(await receipts(t)).toEqual([]);
    expect(smsTo(fake, APPLICATION_PHONE).slice(before)).toEqual([]);
    // the handler is told as before
    expect(smsTo(fake, '13912345678').filter((b) => b.includes('催办提醒'))).toHaveLength(1);
  });

  it('made in the kiosk chat is the chat reply and the hurry_received SMS to the application\'s phone', async () => {
    const fake = await fakeTwilioForTest();
    const t = await chatApp(fake);
    const reply = await kiosk(t, 'kiosk-session-0123456789abcdef', '催一下', { authorization: `Bearer ${await viewToken(t)}` });
    const [hurry] = await t.app.hurries.ofApplication(APPLICATION_NO);
    expect(hurry).toMatchObject({ channel: 'kiosk' });
    expect(reply.body.replies[0]).toContain(`编号${hurry!.id}`);
    await t.app.notices.dispatcher.idle();
    expect((await receipts(t)).map((r) => [r.channel, r.address])).toEqual([['sms', APPLICATION_PHONE]]);
    expect(smsTo(fake, APPLICATION_PHONE).filter((b) => b.includes(`受理编号${hurry!.id}`))).toHaveLength(1);
  });

  it('made with the kiosk button is the hurry_received SMS to the application\'s phone', async () => {
    const fake = await fakeTwilioForTest();
    const t = await chatApp(fake);
    const reply = await t.app.inject({
      method: 'POST',
      url: `/api/v1/applications/${APPLICATION_NO}/hurry`,
      headers: { authorization: `Bearer ${await viewToken(t)}`, 'x-jiedian-channel': 'kiosk' },
      payload: {},
    });
    expect(reply.statusCode).toBe(202);
    const id = reply.json().hurry.id as string;
    await t.app.notices.dispatcher.idle();
    expect((await receipts(t)).map((r) => [r.channel, r.address])).toEqual([['sms', APPLICATION_PHONE]]);
    expect(smsTo(fake, APPLICATION_PHONE).filter((b) => b.includes(`受理编号${id}`))).toHaveLength(1);
  });
});
