// Chat turns on two instances of one PostgreSQL database (each app with its own pool, leases and hub), given messages
// at the same moment: an address's first messages taken by both are answered, as turns of one conversation (its
// conversation was made twice, and the second insert failed on the address's key); and one Official Account text
// given to both (WeChat's retry reaching the other while the first still answers) runs one chat turn, not two.
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgresBackend } from '../../db/postgres/backend.ts';
import type { Backend } from '../../server/backend.ts';
import { buildTestApp, type TestApp } from '../support/app.ts';
import { ACCOUNT_NO, APPLICATION_NO, chatApp, postSms } from '../support/chat.ts';
import { textMessageXml, wechatOaEnv } from '../support/fake-wechat.ts';
import { buildNoticeApp, fakeTwilioForTest, twilioEnv } from '../support/notices.ts';
import { freshPostgresDatabase } from '../support/postgres.ts';
import { fakeWechatForTest, oaChatApp, postCallback } from '../support/wechat-oa.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fresh database, and a backend for each of two instances on it. */
async function twoBackends(): Promise<[Backend, Backend]> {
  const target = await freshPostgresDatabase();
  cleanups.push(() => target.drop());
  const backends: Backend[] = [];
  for (let i = 0; i < 2; i++) {
    const backend = await openPostgresBackend({ url: target.url, leaseRetryMs: 100 });
    cleanups.push(() => backend.close());
    backends.push(backend);
  }
  return [backends[0]!, backends[1]!];
}

/** The app closes before its backend does (the support's own close afterwards is a no-op). */
function closing(t: TestApp): TestApp {
  cleanups.push(() => t.app.close());
  return t;
}

const inbound = async (t: TestApp, channel: 'sms' | 'wechat_oa', address: string) => (await t.app.chat.turns.transcript(channel, address)).filter((m) => m.direction === 'in');

describe('chat turns on two instances of one PostgreSQL database', () => {
  it("an address's first messages taken by both instances at once are both answered, in one conversation", async () => {
    const twilio = await fakeTwilioForTest();
    const [backendA, backendB] = await twoBackends();
    const a = closing(await chatApp(twilio, { deps: { backend: backendA } }));
    const b = closing(await buildNoticeApp(twilio, { deps: { backend: backendB } }));

    // five new numbers, each texting both instances at the same moment
    const numbers = ['+8613900000001', '+8613900000002', '+8613900000003', '+8613900000004', '+8613900000005'];
    const answers = await Promise.all(numbers.flatMap((number) => [postSms(a, number, '你好'), postSms(b, number, '怎么查进度')]));
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
    expect(answers.every((answer) => answer.text.length > 0)).toBe(true);
    for (const number of numbers) {
      const messages = await inbound(b, 'sms', number.replace('+86', ''));
      expect(messages.map((m) => m.text).sort()).toEqual(['你好', '怎么查进度'].sort());
      expect(new Set(messages.map((m) => m.conversationId)).size).toBe(1);
    }
  }, 120_000);

  it('an Official Account text given to both instances at once runs one chat turn, and both give its answer', async () => {
    const twilio = await fakeTwilioForTest();
    const wechat = await fakeWechatForTest();
    const [backendA, backendB] = await twoBackends();
    const a = closing(await oaChatApp(twilio, wechat, { deps: { backend: backendA } }));
    const b = closing(await buildTestApp({ env: { ...twilioEnv(twilio), ...wechatOaEnv(wechat), WECHAT_OA_MESSAGES_PER_SECOND: '1000' }, deps: { backend: backendB } }));

    // three followers, each asking for a binding code once; WeChat's retry of each reaches the other instance at once
    const openIds = ['oJd8s5customer000000000011', 'oJd8s5customer000000000012', 'oJd8s5customer000000000013'];
    const answers = await Promise.all(
      openIds.flatMap((openId, i) => {
        const xml = textMessageXml(openId, `绑定 ${ACCOUNT_NO}`, String(8_100_000_000_000_000_000n + BigInt(i)));
        return [postCallback(a, xml), postCallback(b, xml)];
      }),
    );
    for (let i = 0; i < openIds.length; i++) {
      const [onA, onB] = [answers[2 * i]!, answers[2 * i + 1]!];
      expect([onA.status, onB.status]).toEqual([200, 200]);
      expect(onA.text).toContain('验证码');
      expect(onB.text).toBe(onA.text);
      expect(await inbound(a, 'wechat_oa', openIds[i]!)).toHaveLength(1);
    }
    // one code texted to the application's phone per follower, not two
    const codes = (await a.app.stores.outbox.ofApplication(APPLICATION_NO)).filter((r) => r.noticeKind === 'bind_code');
    expect(codes).toHaveLength(openIds.length);
  }, 120_000);
});
