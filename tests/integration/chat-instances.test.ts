// Chat turns on two instances of one PostgreSQL database (each app with its own pool, leases and hub), given messages
// at the same moment: an address's first messages taken by both are answered, as turns of one conversation (its
// conversation was made twice, and the second insert failed on the address's key).
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgresBackend } from '../../db/postgres/backend.ts';
import type { Backend } from '../../server/backend.ts';
import type { TestApp } from '../support/app.ts';
import { chatApp, postSms } from '../support/chat.ts';
import { buildNoticeApp, fakeTwilioForTest } from '../support/notices.ts';
import { freshPostgresDatabase } from '../support/postgres.ts';

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
});
