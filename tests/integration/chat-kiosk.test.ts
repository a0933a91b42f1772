// The kiosk/web chat route: sessions, view tokens, binding by query code for the session, rate limits.
import { describe, expect, it } from 'vitest';
import { fakeTwilioForTest } from '../support/notices.ts';
import { ACCOUNT_NO, APPLICATION_NO, QUERY_CODE, SECRETS, chatApp, kiosk , kioskViewToken as viewToken } from '../support/chat.ts';
import { CHAT_MESSAGES_PER_CLIENT, CHAT_MESSAGES_PER_SESSION } from '../../server/routes/chat.ts';

const SESSION = 'kiosk-session-0123456789abcdef';

async function app() {
  const fake = await fakeTwilioForTest();
  return chatApp(fake);
}


describe('POST /api/v1/chat/messages', () => {
  it('answers with the intent and the replies', async () => {
    const t = await app();
    const reply = await kiosk(t, SESSION, '停电了找谁');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ intent: 'faq', replies: [expect.stringContaining('95598')] });
    expect((await kiosk(t, SESSION, '你好')).body.intent).toBe('greeting');
  });

  it('treats a session carrying a view token as bound to that account', async () => {
    const t = await app();
    const headers = { authorization: `Bearer ${await viewToken(t)}` };
    const progress = await kiosk(t, SESSION, '我的申请到哪一步了', headers);
    expect(progress.body.intent).toBe('query_progress');
    expect(progress.body.replies[0]).toContain(APPLICATION_NO);
    expect((await kiosk(t, SESSION, '经办人电话', headers)).body.replies[0]).toContain('13912345678');
    // the same session without the token is not bound
    expect((await kiosk(t, SESSION, '我的申请到哪一步了')).body.replies[0]).not.toContain(APPLICATION_NO);
  });

  it('refuses an invalid or expired view token with 401', async () => {
    const t = await app();
    const reply = await kiosk(t, SESSION, '进度', { authorization: 'Bearer not-a-token' });
    expect(reply.status).toBe(401);
    const headers = { authorization: `Bearer ${await viewToken(t)}` };
    t.clock.advance(16 * 60 * 1000);
    expect((await kiosk(t, SESSION, '进度', headers)).status).toBe(401);
  });

  it('hurries from the web page on the web channel, and says there is nothing to unsubscribe', async () => {
    const t = await app();
    const headers = { authorization: `Bearer ${await viewToken(t)}`, 'x-jiedian-channel': 'web' };
    expect((await kiosk(t, SESSION, '催一下', headers)).body.replies[0]).toContain('已为您催办');
    expect((await t.app.hurries.ofApplication(APPLICATION_NO))[0]).toMatchObject({ channel: 'web' });
    expect((await kiosk(t, SESSION, '退订', headers)).body.replies[0]).toContain('无需退订');
  });

  it('binds the session (only the session) with the account\'s query code', async () => {
    const t = await app();
    await kiosk(t, SESSION, '绑定 5300123456');
    const bound = await kiosk(t, SESSION, QUERY_CODE);
    expect(bound.body).toMatchObject({ intent: 'bind_account', replies: [expect.stringContaining('本次会话')] });
    expect((await kiosk(t, SESSION, '进度')).body.replies[0]).toContain(APPLICATION_NO);
    expect((await kiosk(t, 'another-session-0123456789', '进度')).body.replies[0]).not.toContain(APPLICATION_NO);
    // a session is not a notice address
    expect(await t.app.stores.bindings.ofAccount(ACCOUNT_NO)).toEqual([]);
    // and it ends: 30 minutes after its last message
    t.clock.advance(31 * 60 * 1000);
    expect((await kiosk(t, SESSION, '进度')).body.replies[0]).not.toContain(APPLICATION_NO);
  });

  it('never tells an unbound session anything about an application', async () => {
    const t = await app();
    const replies: string[] = [];
    for (const text of ['进度', `${APPLICATION_NO}到哪了`, '经办人电话', '什么时候能通电', '催一下', '5300123456', '需要准备什么材料', '转人工']) {
      replies.push(...(await kiosk(t, SESSION, text)).body.replies);
    }
    for (const secret of SECRETS) expect(replies.join('\n'), secret).not.toContain(secret);
    expect(await t.app.hurries.ofApplication(APPLICATION_NO)).toHaveLength(0);
  });

  it(`limits a session to ${CHAT_MESSAGES_PER_SESSION} messages a minute`, async () => {
    const t = await app();
    for (let i = 0; i < CHAT_MESSAGES_PER_SESSION; i++) expect((await kiosk(t, SESSION, '你好')).status).toBe(200);
    const limited = await kiosk(t, SESSION, '你好');
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ code: 'JD_RATE_LIMITED' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // another session from the same client still gets through
    expect((await kiosk(t, 'other-session-0123456789', '你好')).status).toBe(200);
    t.clock.advance(61 * 1000);
    expect((await kiosk(t, SESSION, '你好')).status).toBe(200);
  });

  it(`limits a client address to ${CHAT_MESSAGES_PER_CLIENT} messages a minute, however many sessions it makes up`, async () => {
    const t = await app();
    const send = (i: number, remoteAddress = '10.0.0.7') =>
      t.app.inject({ method: 'POST', url: '/api/v1/chat/messages', remoteAddress, payload: { sessionId: `made-up-session-${String(i).padStart(6, '0')}`, text: '你好' } });
    for (let i = 0; i < CHAT_MESSAGES_PER_CLIENT; i++) expect((await send(i)).statusCode).toBe(200);
    expect((await send(999)).statusCode).toBe(429);
    expect((await send(1000, '10.0.0.8')).statusCode).toBe(200);
  });

  it('rejects a malformed body: a short session id, an empty or overlong text', async () => {
    const t = await app();
    expect((await kiosk(t, 'short', '你好')).status).toBe(400);
    expect((await kiosk(t, SESSION, '')).status).toBe(400);
    expect((await kiosk(t, SESSION, '长'.repeat(501))).status).toBe(400);
  });
});
