// Codes are kept out of the record whatever the bot was waiting for: chat_messages and a consult's text (which team
// leads read) hold no query code or binding code, while account and application numbers stay readable.
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { fakeTwilioForTest, staffHeaders } from '../support/notices.ts';
import { ACCOUNT_NO, APPLICATION_NO, QUERY_CODE, chatApp, kiosk, postSms } from '../support/chat.ts';

const FROM = '+8613700007777';

/** the inbound texts of a conversation as they are in chat_messages (read through the chat store) */
async function storedInbound(t: TestApp, channel: 'sms' | 'kiosk', address: string): Promise<string[]> {
  return (await t.app.chat.turns.transcript(channel, address)).filter((m) => m.direction === 'in').map((m) => m.text);
}

async function consultsOfLead(t: TestApp) {
  const lead = await staffHeaders(t, 'H009');
  return (await t.app.inject({ method: 'GET', url: '/api/v1/staff/queue', headers: lead })).json().consults as { text: string }[];
}

describe('codes in customers\' messages', () => {
  it('are masked in chat_messages however they are written (SMS)', async () => {
    const t = await chatApp(await fakeTwilioForTest());
    const messages = [`绑定 ${ACCOUNT_NO} ${QUERY_CODE}`, `BD ${ACCOUNT_NO} ${QUERY_CODE}`, `${ACCOUNT_NO} ${QUERY_CODE}`, `我的查询密码是${QUERY_CODE}`, '我的密码是ab12cd34', `${APPLICATION_NO}的进度`];
    for (const text of messages) await postSms(t, FROM, text);
    const stored = await storedInbound(t, 'sms', '13700007777');
    expect(stored).toEqual([
      `绑定 ${ACCOUNT_NO} ******`,
      `BD ${ACCOUNT_NO} ******`,
      `${ACCOUNT_NO} ******`,
      '我的查询密码是******',
      '我的密码是******',
      `${APPLICATION_NO}的进度`,
    ]);
  });

  it('are masked in a consult\'s text and in the record at a kiosk', async () => {
    const t = await chatApp(await fakeTwilioForTest());
    const session = 'kiosk-session-masking-01';
    await kiosk(t, session, `家里停电了怎么办，户号${ACCOUNT_NO}，密码${QUERY_CODE}`);
    const opened = await kiosk(t, session, `人工 我的查询密码${QUERY_CODE}不对，找人帮我看看`);
    expect(opened.body.intent).toBe('human');

    const [consult] = await consultsOfLead(t);
    expect(consult!.text).not.toContain(QUERY_CODE);
    expect(consult!.text).toBe(`家里停电了怎么办，户号${ACCOUNT_NO}，密码******\n人工 我的查询密码******不对，找人帮我看看`);
    for (const text of await storedInbound(t, 'kiosk', session)) expect(text).not.toContain(QUERY_CODE);
  });
});
