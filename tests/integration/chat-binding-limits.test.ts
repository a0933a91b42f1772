// How long a binding code lives, and how many wrong codes the chatbot takes: per address, per account, per kiosk client.
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';
import { eventually, fakeTwilioForTest, putApplication } from '../support/notices.ts';
import { ACCOUNT_NO, APPLICATION_NO, APPLICATION_PHONE, QUERY_CODE, chatApp, postSms } from '../support/chat.ts';
import { CLIENT_CODE_WINDOW_MS, WRONG_CODES_PER_CLIENT } from '../../server/chat/rate-limits.ts';

const STRANGER = '+8613700007777';

/** The newest binding code the application's phone received. */
async function newestCode(fake: FakeTwilio, t: TestApp, after: number): Promise<string> {
  await t.app.notices.dispatcher.idle();
  let code: string | undefined;
  await eventually(() => {
    const sms = fake.requests.slice(after).reverse().find((r) => r.to === `+86${APPLICATION_PHONE}` && r.body?.includes('验证码'));
    code = sms?.body ? /(\d{6})/.exec(sms.body)?.[1] : undefined;
    return code !== undefined;
  }, 'the binding code SMS');
  return code!;
}

const wrongFor = (code: string) => (code === '000000' ? '111111' : '000000');
const boundTo = async (t: TestApp, address: string) => (await t.app.stores.bindings.ofAccount(ACCOUNT_NO)).some((b) => b.address === address);

function kiosk(t: TestApp, sessionId: string, text: string, remoteAddress: string) {
  return t.app.inject({ method: 'POST', url: '/api/v1/chat/messages', remoteAddress, payload: { sessionId, text } }).then((r) => r.json().replies.join('\n') as string);
}

describe('binding codes', () => {
  it('live 10 minutes: the right code typed later binds nothing, a new one then does', async () => {
    const fake = await fakeTwilioForTest();
    const t = await chatApp(fake);
    let sent = fake.requests.length;
    await postSms(t, STRANGER, '绑定 5300123456');
    const stale = await newestCode(fake, t, sent);

    t.clock.advance(10 * 60 * 1000 + 1000);
    const late = await postSms(t, STRANGER, stale);
    expect(late.text).not.toContain('绑定成功');
    expect(await boundTo(t, '13700007777')).toBe(false);
    expect((await postSms(t, STRANGER, '进度')).text).not.toContain(APPLICATION_NO);

    sent = fake.requests.length;
    await postSms(t, STRANGER, '绑定 5300123456');
    const fresh = await newestCode(fake, t, sent);
    t.clock.advance(9 * 60 * 1000 + 59 * 1000);
    expect((await postSms(t, STRANGER, fresh)).text).toContain('绑定成功');
    expect(await boundTo(t, '13700007777')).toBe(true);
  });

  it('lock the account for an hour after 10 wrong codes from any numbers: the right query code from a new number fails too', async () => {
    const fake = await fakeTwilioForTest();
    const t = await chatApp(fake);
    const senders = ['+8613700000001', '+8613700000002', '+8613700000003'];
    // 4 + 4 + 2 wrong codes: no number reaches its own limit of 5
    for (const [i, from] of senders.entries()) {
      await postSms(t, from, '绑定 5300123456');
      for (let n = 0; n < (i < 2 ? 4 : 2); n++) expect((await postSms(t, from, '999999')).text).toContain('还可再试');
    }

    const newcomer = '+8613700000009';
    await postSms(t, newcomer, '绑定 5300123456');
    expect((await postSms(t, newcomer, QUERY_CODE)).text).toContain('已暂停');
    expect(await boundTo(t, '13700000009')).toBe(false);

    t.clock.advance(61 * 60 * 1000);
    await postSms(t, newcomer, '绑定 5300123456');
    expect((await postSms(t, newcomer, QUERY_CODE)).text).toContain('绑定成功');
  });
});

describe('binding after 退订', () => {
  it('clears the opt-out of that number: notices reach it again', async () => {
    const fake = await fakeTwilioForTest();
    const t = await chatApp(fake);
    expect((await postSms(t, STRANGER, 'TD')).text).toContain('已退订');
    expect(await t.app.stores.outbox.isOptedOut('sms', '13700007777')).toBe(true);

    await postSms(t, STRANGER, '绑定 5300123456');
    expect((await postSms(t, STRANGER, QUERY_CODE)).text).toContain('绑定成功');

    expect(await t.app.stores.outbox.isOptedOut('sms', '13700007777')).toBe(false);
    // the next customer notice goes to the application's phone and to the newly bound number
    await putApplication(t, APPLICATION_NO, { requestedConnectDate: '2027-04-01' });
    await t.app.notices.dispatcher.idle();
    const changed = (await t.app.stores.outbox.ofApplication(APPLICATION_NO)).filter((r) => r.noticeKind === 'plan_changed');
    expect(changed.map((r) => r.address).sort()).toEqual(['13700007777', APPLICATION_PHONE]);
  });
});

describe('query codes typed into the kiosk chat', () => {
  it(`count per client address however many sessions it makes up: ${WRONG_CODES_PER_CLIENT} wrong ones in 15 minutes lock it, other clients go on`, async () => {
    const fake = await fakeTwilioForTest();
    const t = await chatApp(fake);
    // five more accounts, so that no account reaches its own limit of 10 wrong codes
    const accounts = ['5300200001', '5300200002', '5300200003', '5300200004', '5300200005'];
    for (const [i, accountNo] of accounts.entries()) {
      await putApplication(t, `YX2026-010${i}`, { accountNo, phone: `1380000300${i}`, queryCode: `77665${i}` });
    }
    const attacker = '10.0.0.66';
    let session = 0;
    const newSession = () => `made-up-session-${String(++session).padStart(6, '0')}`;
    let wrong = 0;
    for (const accountNo of accounts) {
      const id = newSession();
      await kiosk(t, id, `绑定 ${accountNo}`, attacker);
      for (let n = 0; n < 4; n++, wrong++) expect(await kiosk(t, id, `${String(100000 + wrong)}`, attacker)).toContain('还可再试');
    }
    expect(wrong).toBe(WRONG_CODES_PER_CLIENT);

    // the right query code of another account, in yet another session of the same client: locked
    const id = newSession();
    await kiosk(t, id, '绑定 5300123456', attacker);
    const locked = await kiosk(t, id, QUERY_CODE, attacker);
    expect(locked).toContain('已暂停');
    expect(await kiosk(t, id, '进度', attacker)).not.toContain(APPLICATION_NO);

    // a customer at another kiosk is not affected
    await kiosk(t, 'honest-session-000001', '绑定 5300123456', '10.0.0.7');
    expect(await kiosk(t, 'honest-session-000001', QUERY_CODE, '10.0.0.7')).toContain('绑定成功');
    expect(await kiosk(t, 'honest-session-000001', '进度', '10.0.0.7')).toContain(APPLICATION_NO);

    // and the attacker's client may try again once the window has passed
    t.clock.advance(CLIENT_CODE_WINDOW_MS + 1000);
    const later = newSession();
    await kiosk(t, later, '绑定 5300123456', attacker);
    expect(await kiosk(t, later, QUERY_CODE, attacker)).toContain('绑定成功');
  });
});
