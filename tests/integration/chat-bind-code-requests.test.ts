// Binding codes are SMS to customers' phones, urgent (sent in quiet hours too): one client or one sender may not
// have them sent to many accounts, whatever session ids it makes up or account numbers it names.
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { fakeTwilioForTest, putApplication } from '../support/notices.ts';
import { ACCOUNT_NO, APPLICATION_NO, QUERY_CODE, chatApp, postSms } from '../support/chat.ts';
import { BIND_CODES_PER_ADDRESS, BIND_CODES_PER_CLIENT, BIND_CODES_PER_CLIENT_WINDOW_MS } from '../../server/chat/rate-limits.ts';

const ACCOUNTS = Array.from({ length: 40 }, (_, i) => `53004000${String(i).padStart(2, '0')}`);

async function withAccounts() {
  const fake = await fakeTwilioForTest();
  const t = await chatApp(fake);
  for (const [i, accountNo] of ACCOUNTS.entries()) {
    await putApplication(t, `YX2026-04${String(i).padStart(2, '0')}`, { accountNo, phone: `138000040${String(i).padStart(2, '0')}`, queryCode: `6655${String(i).padStart(2, '0')}` });
  }
  return t;
}

const APPLICATIONS = [APPLICATION_NO, ...ACCOUNTS.map((_, i) => `YX2026-04${String(i).padStart(2, '0')}`)];
/** bind_code SMS queued to any of the applications' phones */
async function bindCodesQueued(t: TestApp): Promise<number> {
  let n = 0;
  for (const applicationNo of APPLICATIONS) n += (await t.app.stores.outbox.ofApplication(applicationNo)).filter((r) => r.noticeKind === 'bind_code').length;
  return n;
}

function kiosk(t: TestApp, sessionId: string, text: string, remoteAddress: string) {
  return t.app.inject({ method: 'POST', url: '/api/v1/chat/messages', remoteAddress, payload: { sessionId, text } }).then((r) => r.json().replies.join('\n') as string);
}

describe('binding codes asked from one kiosk/web client', () => {
  it(`are sent for ${BIND_CODES_PER_CLIENT} accounts in 15 minutes whatever sessions it makes up; then it is told when to try again, and other clients go on`, async () => {
    const t = await withAccounts();
    const attacker = '10.0.0.66';
    const replies: string[] = [];
    for (const [i, accountNo] of ACCOUNTS.entries()) replies.push(await kiosk(t, `made-up-session-${String(i).padStart(6, '0')}`, `绑定 ${accountNo}`, attacker));
    expect(await bindCodesQueued(t)).toBe(BIND_CODES_PER_CLIENT);
    for (const r of replies.slice(0, BIND_CODES_PER_CLIENT)) expect(r).toContain('验证码已发送');
    for (const r of replies.slice(BIND_CODES_PER_CLIENT)) expect(r).toBe('获取验证码的次数过多，请15分钟后再试。也可直接回复营业厅或自助终端用的查询密码完成绑定。');

    // an account that does not exist gets the very same answer, limited or not
    expect(await kiosk(t, 'made-up-session-999999', '绑定 5300777777', attacker)).toBe(replies.at(-1));
    expect(await kiosk(t, 'fresh-client-session-1', '绑定 5300777777', '10.0.0.8')).toBe(await kiosk(t, 'fresh-client-session-2', `绑定 ${ACCOUNTS[39]}`, '10.0.0.9'));

    // the limited customer may still bind with the query code
    const session = 'made-up-session-000100';
    expect(await kiosk(t, session, `绑定 ${ACCOUNT_NO}`, attacker)).toContain('分钟后再试');
    expect(await kiosk(t, session, QUERY_CODE, attacker)).toContain('绑定成功');
    expect(await kiosk(t, session, '进度', attacker)).toContain(APPLICATION_NO);

    // another client is not affected, and the attacker's may ask again once the window has passed
    const before = await bindCodesQueued(t);
    expect(await kiosk(t, 'honest-session-000001', `绑定 ${ACCOUNT_NO}`, '10.0.0.7')).toContain('验证码已发送');
    t.clock.advance(BIND_CODES_PER_CLIENT_WINDOW_MS + 1000);
    expect(await kiosk(t, 'made-up-session-000200', `绑定 ${ACCOUNTS[0]}`, attacker)).toContain('验证码已发送');
    expect(await bindCodesQueued(t)).toBe(before + 2);
  });
});

describe('binding codes asked from one SMS number', () => {
  it(`are sent for ${BIND_CODES_PER_ADDRESS} accounts an hour, then the number is told when to try again`, async () => {
    const t = await withAccounts();
    const from = '+8613700007777';
    const replies: string[] = [];
    for (const accountNo of ACCOUNTS.slice(0, 10)) replies.push((await postSms(t, from, `BD ${accountNo}`)).text);
    expect(await bindCodesQueued(t)).toBe(BIND_CODES_PER_ADDRESS);
    for (const r of replies.slice(BIND_CODES_PER_ADDRESS)) expect(r).toContain('分钟后再试');
    expect(replies.at(-1)).toMatch(/请(5[89]|60)分钟后再试/);
    // a nonexistent account: the same words
    expect((await postSms(t, from, 'BD 5300777777')).text).toBe(replies.at(-1));
    t.clock.advance(60 * 60 * 1000 + 1000);
    expect((await postSms(t, from, `BD ${ACCOUNTS[20]}`)).text).toContain('验证码已发送');
    expect(await bindCodesQueued(t)).toBe(BIND_CODES_PER_ADDRESS + 1);
  });
});
