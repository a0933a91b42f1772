// The chatbot over SMS: Twilio's inbound webhook (signed), TwiML answers, binding codes through the fake Twilio.
import { describe, expect, it } from 'vitest';
import type { FakeTwilio } from '../support/fake-twilio.ts';
import type { TestApp } from '../support/app.ts';
import { eventually, fakeTwilioForTest, PUBLIC_URL } from '../support/notices.ts';
import { ACCOUNT_NO, APPLICATION_NO, APPLICATION_PHONE, QUERY_CODE, SECRETS, bindCodesQueued, chatApp, postSms } from '../support/chat.ts';

const CUSTOMER = '+8613800001111';
const STRANGER = '+8613700007777';

/** The binding code as the customer's phone received it from (fake) Twilio. */
async function codeReceived(fake: FakeTwilio, t: TestApp): Promise<string> {
  await t.app.notices.dispatcher.idle();
  let code: string | undefined;
  await eventually(() => {
    const sms = [...fake.requests].reverse().find((r) => r.to === `+86${APPLICATION_PHONE}` && r.body?.includes('验证码'));
    code = sms?.body ? /(\d{6})/.exec(sms.body)?.[1] : undefined;
    return code !== undefined;
  }, 'the binding code SMS');
  return code!;
}

async function bound(t: TestApp, fake: FakeTwilio, from = CUSTOMER) {
  await postSms(t, from, '绑定 5300123456');
  const code = await codeReceived(fake, t);
  const reply = await postSms(t, from, code);
  expect(reply.text).toContain('绑定成功');
}

describe('chat over SMS (Twilio inbound webhook)', () => {
  it('binds with the code sent to the application\'s phone, then answers progress, hurries, and unsubscribes', async () => {
    const fake = await fakeTwilioForTest();
    const t = await chatApp(fake);

    const asked = await postSms(t, CUSTOMER, 'BD 5300123456');
    expect(asked.status).toBe(200);
    expect(asked.contentType).toMatch(/^text\/xml/);
    expect(asked.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Response><Message>【接电助手】.*<\/Message><\/Response>$/s);
    expect(asked.text).toContain('验证码已发送');
    const code = await codeReceived(fake, t);

    const wrong = await postSms(t, CUSTOMER, code === '000000' ? '111111' : '000000');
    expect(wrong.text).toContain('还可再试4次');
    expect((await postSms(t, CUSTOMER, code)).text).toContain('绑定成功');
    expect(await t.app.stores.bindings.ofAccount(ACCOUNT_NO)).toContainEqual({ channel: 'sms', address: APPLICATION_PHONE });

    const progress = await postSms(t, CUSTOMER, '我的申请到哪一步了');
    expect(progress.text).toContain(APPLICATION_NO);
    expect(progress.text).toContain('当前：供电方案答复（办理中');
    expect(progress.text).toContain('下一步：设计文件审核');
    expect(progress.text).toContain('预计通电');
    expect((await postSms(t, CUSTOMER, 'JD')).text).toContain(APPLICATION_NO);
    expect((await postSms(t, CUSTOMER, '经办人电话')).text).toContain('李*，电话13912345678');
    expect((await postSms(t, CUSTOMER, '需要准备什么材料')).text).toContain('签收并确认供电方案答复单');
    expect((await postSms(t, CUSTOMER, '什么时候能通电')).text).toContain('预计通电日期');

    const hurry = await postSms(t, CUSTOMER, '催一下，厂里等着开工');
    expect(hurry.text).toMatch(/已为您催办（编号CB\d{10}）/);
    const [request] = await t.app.hurries.ofApplication(APPLICATION_NO);
    expect(request).toMatchObject({ channel: 'sms', stepCode: 'plan_reply', message: '催一下，厂里等着开工', handlerId: 'H001' });
    // the hurry service's cooldown holds whichever channel asks
    const again = await postSms(t, CUSTOMER, 'CB');
    expect(again.text).toContain(`已在催办中（编号${request!.id}）`);
    expect(await t.app.hurries.ofApplication(APPLICATION_NO)).toHaveLength(1);

    const optOut = await postSms(t, CUSTOMER, 'TD');
    expect(optOut.text).toContain('已退订');
    expect(await t.app.stores.outbox.isOptedOut('sms', APPLICATION_PHONE)).toBe(true);

    // every message and reply is on the one conversation record of this number
    const transcript = await t.app.chat.turns.transcript('sms', APPLICATION_PHONE);
    expect(transcript.filter((m) => m.direction === 'in')).toHaveLength(11);
    expect(transcript.filter((m) => m.direction === 'out')).toHaveLength(11);
    // the codes typed are not kept
    expect(transcript.some((m) => m.text.includes(code))).toBe(false);
  });

  it('takes the English opt-out keywords (STOP and the rest) as 退订', async () => {
    const fake = await fakeTwilioForTest();
    const t = await chatApp(fake);
    for (const [i, word] of ['STOP', 'unsubscribe', 'Cancel', 'END', 'QUIT', 'REVOKE', 'OPTOUT'].entries()) {
      const from = `+861380000200${i}`;
      const reply = await postSms(t, from, word);
      expect(reply.text, word).toContain('已退订');
      expect(await t.app.stores.outbox.isOptedOut('sms', `1380000200${i}`), word).toBe(true);
    }
  });

  it('understands traditional characters', async () => {
    const fake = await fakeTwilioForTest();
    const t = await chatApp(fake);
    await bound(t, fake);
    expect((await postSms(t, CUSTOMER, '我的申請辦到哪一步了？')).text).toContain('供电方案答复');
    expect((await postSms(t, CUSTOMER, '經辦人電話')).text).toContain('13912345678');
    expect((await postSms(t, CUSTOMER, '幫我催辦')).text).toContain('已为您催办');
  });

  it('binds with the kiosk query code instead of the SMS code', async () => {
    const fake = await fakeTwilioForTest();
    const t = await chatApp(fake);
    await postSms(t, STRANGER, '绑定 5300123456');
    expect((await postSms(t, STRANGER, `查询密码${QUERY_CODE}`)).text).toContain('绑定成功');
    expect((await postSms(t, STRANGER, '进度')).text).toContain(APPLICATION_NO);
  });

  it('never tells an unbound sender anything about an application, and starts no hurry for them', async () => {
    const fake = await fakeTwilioForTest();
    const t = await chatApp(fake);
    const replies: string[] = [];
    for (const text of ['我的申请到哪一步了', `查进度 ${APPLICATION_NO}`, `${APPLICATION_NO}的经办人电话`, '经办人电话', '催一下', 'CB', '什么时候能通电', '需要准备什么材料', 'JD', '5300123456']) {
      replies.push((await postSms(t, STRANGER, text)).text);
    }
    const all = replies.join('\n');
    for (const secret of SECRETS) expect(all, secret).not.toContain(secret);
    expect(await t.app.hurries.ofApplication(APPLICATION_NO)).toHaveLength(0);
    expect(replies[0]).toContain('绑定');
  });

  it('answers binding the same whether or not the account exists', async () => {
    const fake = await fakeTwilioForTest();
    const t = await chatApp(fake);
    const known = await postSms(t, STRANGER, '绑定 5300123456');
    const unknown = await postSms(t, '+8613700008888', '绑定 5300999999');
    expect(unknown.text).toBe(known.text);
  });

  it('locks binding for the number for an hour after 5 wrong codes: the right code then fails too', async () => {
    const fake = await fakeTwilioForTest();
    const t = await chatApp(fake);
    await postSms(t, STRANGER, '绑定 5300123456');
    const code = await codeReceived(fake, t);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 4; i++) expect((await postSms(t, STRANGER, wrong)).text).toContain(`还可再试${4 - i}次`);
    expect((await postSms(t, STRANGER, wrong)).text).toContain('绑定功能已暂停，请60分钟后再试');
    expect((await postSms(t, STRANGER, code)).text).not.toContain('绑定成功');
    expect((await postSms(t, STRANGER, '绑定 5300123456')).text).toContain('已暂停');
    const sent = await bindCodesQueued(t);

    t.clock.advance(61 * 60 * 1000);
    await postSms(t, STRANGER, '绑定 5300123456');
    expect(await bindCodesQueued(t)).toBe(sent + 1);
    expect((await postSms(t, STRANGER, await codeReceived(fake, t))).text).toContain('绑定成功');
  });

  it('rejects a forged webhook: no signature, a wrong one, or one made for another URL', async () => {
    const fake = await fakeTwilioForTest();
    const t = await chatApp(fake);
    expect((await postSms(t, CUSTOMER, '进度', { signature: null })).status).toBe(401);
    expect((await postSms(t, CUSTOMER, '进度', { signature: 'bm90IGEgc2lnbmF0dXJl' })).status).toBe(401);
    const twilio = (await import('twilio')).default;
    const params = { MessageSid: 'SM1', From: CUSTOMER, To: '+15005550006', Body: '进度' };
    const elsewhere = twilio.getExpectedTwilioSignature(t.config.twilio!.authToken, `${PUBLIC_URL}/webhooks/twilio/status`, params);
    const reply = await t.app.inject({
      method: 'POST',
      url: '/webhooks/twilio/sms',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': elsewhere },
      payload: new URLSearchParams(params).toString(),
    });
    expect(reply.statusCode).toBe(401);
    expect(reply.json()).toMatchObject({ code: 'JD_UNAUTHORIZED' });
    expect(await t.app.chat.turns.transcript('sms', APPLICATION_PHONE)).toHaveLength(0);
  });

  it('answers a redelivered message (same MessageSid) the same way, without a second turn', async () => {
    const fake = await fakeTwilioForTest();
    const t = await chatApp(fake);
    await bound(t, fake);
    const first = await postSms(t, CUSTOMER, '催一下', { messageSid: 'SMredelivered0000000000000000000001' });
    const again = await postSms(t, CUSTOMER, '催一下', { messageSid: 'SMredelivered0000000000000000000001' });
    expect(again.body).toBe(first.body);
    expect((await t.app.hurries.ofApplication(APPLICATION_NO))[0]!.count).toBe(1);
  });

  it('escapes the reply for XML and sends an empty TwiML response for an empty message', async () => {
    const fake = await fakeTwilioForTest();
    const t = await chatApp(fake);
    const admin = t.app.chat.knowledge;
    admin.put('xml-test', { question: '尖括号测试问题', variants: [], keywords: ['尖括号测试'], answer: '答案含<b>标签</b>&"引号"' }, 'H009');
    const reply = await postSms(t, CUSTOMER, '尖括号测试问题');
    expect(reply.body).toContain('答案含&lt;b&gt;标签&lt;/b&gt;&amp;&quot;引号&quot;');
    expect(reply.text).toBe('【接电助手】答案含<b>标签</b>&"引号"');
    const empty = await postSms(t, CUSTOMER, '');
    expect(empty.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });
});
