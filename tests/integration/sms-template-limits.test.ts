// The carriers' per-number limits count what the provider is sent: Aliyun's 50 a day per template code (so the chat's
// reply templates are counted apart, not as one chat_reply kind) and Tencent's one-per-30-s for the same template text
// (template code and its filled-in text, not the longer text the chat would write on Twilio).
import { describe, expect, it } from 'vitest';
import { ACCOUNT_NO, APPLICATION_NO } from '../support/chat.ts';
import { completed, outboxTo, postEvents, putApplication, putHandler, started } from '../support/notices.ts';
import type { TestApp } from '../support/app.ts';
import { providers, tencent, type ProviderHarness } from '../support/template-sms.ts';

const CUSTOMER = '13911112222';
const DAY = 24 * 60 * 60 * 1000;

async function planReplyStarted(t: TestApp) {
  await putHandler(t, 'H001');
  await putApplication(t, APPLICATION_NO);
  await postEvents(t, [
    started(APPLICATION_NO, 'accept', '2026-11-20T09:00:00+08:00'),
    completed(APPLICATION_NO, 'accept', '2026-11-20T11:00:00+08:00'),
    started(APPLICATION_NO, 'survey', '2026-11-20T14:00:00+08:00'),
    completed(APPLICATION_NO, 'survey', '2026-11-23T16:00:00+08:00'),
    started(APPLICATION_NO, 'plan_reply', '2026-11-24T09:00:00+08:00'),
  ]);
  await t.app.notices.dispatcher.idle();
}

function customerSays(t: TestApp, provider: ProviderHarness) {
  let id = 0;
  return async (text: string) => {
    id += 1;
    const request = provider.reply(CUSTOMER, text, id);
    expect((await t.app.inject({ method: 'POST', url: request.url, payload: request.payload as object })).statusCode).toBe(200);
    await t.app.notices.dispatcher.idle();
  };
}

const replies = async (t: TestApp) =>
  (await outboxTo(t, CUSTOMER)).map((r) => ({ template: (r.variables as { template: string }).template, status: r.status, nextAttemptAt: r.nextAttemptAt }));

async function later(t: TestApp, ms: number) {
  t.clock.advance(ms);
  t.app.notices.dispatcher.wake();
  await t.app.notices.dispatcher.idle();
}

describe.each(providers)('the per-template day limit through $name', (provider: ProviderHarness) => {
  it('counts each reply template apart: another template goes at once, the same one waits for the next day', async () => {
    const { t, sent } = await provider.build({ env: { SMS_LIMIT_TEMPLATE_PER_DAY: '1' } });
    await planReplyStarted(t);
    await t.app.stores.bindings.bind({ channel: 'sms', address: CUSTOMER, accountNo: ACCOUNT_NO, at: t.clock.now(), applicationNos: null });
    const say = customerSays(t, provider);
    const start = t.clock.now();

    await say('JD');
    await say(`TD ${APPLICATION_NO}`);
    expect((await replies(t)).map((r) => [r.template, r.status])).toEqual([
      ['progress', 'sent'],
      ['muted', 'sent'],
    ]);

    await say('JD');
    expect((await replies(t))[2]).toMatchObject({ template: 'progress', status: 'pending', nextAttemptAt: start + DAY });
    await later(t, DAY);
    expect((await replies(t))[2]).toMatchObject({ status: 'sent' });
    expect(sent().filter((s) => s.to.endsWith(CUSTOMER)).map((s) => s.templateId)).toEqual([provider.progressTemplate, provider.mutedTemplate, provider.progressTemplate]);
  });
});

describe('the same content within 30 s through tencent', () => {
  it('holds a reply whose template text is the one just sent, though the chat said it in other words, for 30 s', async () => {
    const { t, sent } = await tencent.build();
    await planReplyStarted(t);
    const say = customerSays(t, tencent);
    const start = t.clock.now();

    // two questions the chat answers differently, both of which go out as the fallback template with no values
    await say('今天天气怎么样');
    await say('帮助');
    const [first, second] = await outboxTo(t, CUSTOMER);
    expect(first!.text).not.toBe(second!.text);
    expect(await replies(t)).toEqual([
      { template: 'fallback', status: 'sent', nextAttemptAt: expect.any(Number) as unknown as number },
      { template: 'fallback', status: 'pending', nextAttemptAt: start + 30_000 },
    ]);
    await later(t, 30_000);
    expect((await replies(t)).map((r) => r.status)).toEqual(['sent', 'sent']);
    expect(sent().filter((s) => s.to.endsWith(CUSTOMER))).toHaveLength(2);
  });
});
