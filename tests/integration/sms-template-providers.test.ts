// Mainland template SMS through Aliyun and Tencent Cloud: the real app and the vendors' SDKs against fake APIs on
// 127.0.0.1 that check each request's signature. Every scenario runs through both providers.
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { optOuts, outbox } from '../../db/schema/index.ts';
import { MAX_DELIVERY_ATTEMPTS } from '../../server/domain/delivery-policy.ts';
import { ACCOUNT_NO, APPLICATION_NO, APPLICATION_PHONE } from '../support/chat.ts';
import { completed, postEvents, putApplication, putHandler, rowsOfKind, started } from '../support/notices.ts';
import type { TestApp } from '../support/app.ts';
import { CALLBACK_TOKEN, providers, tencent, type ProviderHarness } from '../support/template-sms.ts';

/** hv_single, accepted and surveyed; plan_reply starts 11-24 09:00 (a step_started SMS to 13800001111). */
async function planReplyStarted(t: TestApp, beforeStep: () => void = () => {}) {
  await putHandler(t, 'H001');
  await putApplication(t, APPLICATION_NO);
  await postEvents(t, [
    started(APPLICATION_NO, 'accept', '2026-11-20T09:00:00+08:00'),
    completed(APPLICATION_NO, 'accept', '2026-11-20T11:00:00+08:00'),
    started(APPLICATION_NO, 'survey', '2026-11-20T14:00:00+08:00'),
    completed(APPLICATION_NO, 'survey', '2026-11-23T16:00:00+08:00'),
  ]);
  await t.app.jiedian.dispatcher.idle();
  beforeStep();
  await postEvents(t, [started(APPLICATION_NO, 'plan_reply', '2026-11-24T09:00:00+08:00')]);
  await t.app.jiedian.dispatcher.idle();
}

const stepRow = (t: TestApp) => rowsOfKind(t, APPLICATION_NO, 'step_started').at(-1)!;
const isOptedOut = (t: TestApp, phone = APPLICATION_PHONE) =>
  t.database.db.select().from(optOuts).where(eq(optOuts.address, phone)).all().length > 0;

async function post(t: TestApp, request: { url: string; payload: unknown }) {
  return t.app.inject({ method: 'POST', url: request.url, payload: request.payload as object });
}

describe.each(providers)('template SMS through $name', (provider: ProviderHarness) => {
  it('sends a step notice as its registered template with the step, the dates and the outbox id; every request signed', async () => {
    const { t, sent, requests } = await provider.build();
    await planReplyStarted(t);

    const row = stepRow(t);
    const sms = sent().find((s) => s.outboxId === row.id);
    expect(sms).toMatchObject({
      templateId: provider.stepStartedTemplate,
      params: provider.named({ applicationNo: APPLICATION_NO, stepName: '供电方案答复', dueDate: expect.stringMatching(/^\d{1,2}月\d{1,2}日$/) as unknown as string, connectDate: expect.stringMatching(/月/) as unknown as string }),
    });
    expect(sms!.to).toMatch(/13800001111$/);
    expect(row).toMatchObject({ status: 'sent', provider: provider.name, providerId: sms!.providerId, attempts: 1 });
    expect(requests().length).toBeGreaterThan(0);
    expect(requests().every((r) => r.signed)).toBe(true);
  });

  it('marks the row delivered or failed from a status report, and a repeated report changes nothing', async () => {
    const { t, sent } = await provider.build();
    await planReplyStarted(t);
    const delivered = sent().find((s) => s.outboxId === stepRow(t).id)!;

    const reply = await post(t, provider.receipt(delivered, true));
    expect(reply.statusCode).toBe(200);
    expect(reply.json()).toEqual(provider.accepted);
    expect(stepRow(t)).toMatchObject({ status: 'delivered' });

    // the next notice fails at the handset; the report for the first one arrives again
    await postEvents(t, [completed(APPLICATION_NO, 'plan_reply', '2026-11-24T09:30:00+08:00'), started(APPLICATION_NO, 'design_review', '2026-11-24T09:40:00+08:00')]);
    await t.app.jiedian.dispatcher.idle();
    const second = stepRow(t);
    const failed = sent().find((s) => s.outboxId === second.id)!;
    expect((await post(t, provider.receipt(failed, false, 'UNDELIV'))).statusCode).toBe(200);
    expect(stepRow(t)).toMatchObject({ status: 'failed', lastError: 'delivery failed (UNDELIV)' });
    expect((await post(t, provider.receipt(delivered, false, 'LATE'))).statusCode).toBe(200);
    expect(t.app.jiedian.outbox.byId(delivered.outboxId!)).toMatchObject({ status: 'delivered' });
  });

  it('marks the address opted out when the provider says the number refuses our texts', async () => {
    const { t, fail, sent } = await provider.build();
    if (provider.name === 'tencent') {
      await planReplyStarted(t, () => fail('opted_out')); // SendSms answers FailedOperation.PhoneNumberInBlacklist
      expect(stepRow(t)).toMatchObject({ status: 'failed', lastError: expect.stringContaining('PhoneNumberInBlacklist') });
    } else {
      await planReplyStarted(t); // the carrier reports the number as blacklisted
      const sms = sent().find((s) => s.outboxId === stepRow(t).id)!;
      expect((await post(t, provider.receipt(sms, false, 'MOBILE_IN_BLACK'))).statusCode).toBe(200);
      expect(stepRow(t)).toMatchObject({ status: 'failed' });
    }
    expect(isOptedOut(t)).toBe(true);
  });

  it('marks the address opted out when the customer replies TD', async () => {
    const { t } = await provider.build();
    await planReplyStarted(t);
    expect((await post(t, provider.reply(APPLICATION_PHONE, 'TD', 1))).statusCode).toBe(200);
    expect(isOptedOut(t)).toBe(true);
  });

  it('retries a temporary error and sends once it passes; fails a permanent one at once without retrying', async () => {
    const { t, fail, sent } = await provider.build();
    await planReplyStarted(t, () => fail('temporary'));
    expect(stepRow(t)).toMatchObject({ status: 'pending', attempts: 1 });
    t.clock.advance(3600_000);
    t.app.jiedian.dispatcher.wake();
    await t.app.jiedian.dispatcher.idle();
    expect(stepRow(t)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(sent().filter((s) => s.outboxId === stepRow(t).id)).toHaveLength(1);

    fail('permanent');
    await postEvents(t, [completed(APPLICATION_NO, 'plan_reply', '2026-11-24T11:30:00+08:00'), started(APPLICATION_NO, 'design_review', '2026-11-24T11:40:00+08:00')]);
    await t.app.jiedian.dispatcher.idle();
    const refused = stepRow(t);
    expect(refused).toMatchObject({ status: 'failed', attempts: 1 });
    for (let i = 0; i < MAX_DELIVERY_ATTEMPTS; i++) {
      t.clock.advance(3600_000);
      t.app.jiedian.dispatcher.wake();
      await t.app.jiedian.dispatcher.idle();
    }
    expect(t.app.jiedian.outbox.byId(refused.id)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(sent().filter((s) => s.outboxId === refused.id)).toHaveLength(0);
  });

  it('does not send again a message whose send timed out once the provider says it arrived', async () => {
    const { t, fail, sent } = await provider.build({ env: { SMS_REQUEST_TIMEOUT_MS: '300' } });
    await planReplyStarted(t, () => fail('timeout'));
    const row = stepRow(t);
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row.inDoubtSince).not.toBeNull();
    expect(sent().filter((s) => s.outboxId === row.id)).toHaveLength(1);

    t.clock.advance(3600_000);
    t.app.jiedian.dispatcher.wake();
    await t.app.jiedian.dispatcher.idle();
    expect(t.app.jiedian.outbox.byId(row.id)).toMatchObject({ status: expect.stringMatching(/^(sent|delivered)$/) });
    expect(sent().filter((s) => s.outboxId === row.id)).toHaveLength(1);
  });

  it('answers a bound customer\'s "JD" with the progress template, and a redelivered reply once', async () => {
    const { t, sent } = await provider.build();
    await planReplyStarted(t);
    t.app.jiedian.outbox.bind('sms', APPLICATION_PHONE, ACCOUNT_NO, t.clock.now());
    const before = sent().length;

    const first = await post(t, provider.reply(APPLICATION_PHONE, 'JD', 7));
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual(provider.accepted);
    await t.app.jiedian.dispatcher.idle();
    const replayed = await post(t, provider.reply(APPLICATION_PHONE, 'JD', 7));
    expect(replayed.statusCode).toBe(200);
    await t.app.jiedian.dispatcher.idle();

    const answers = sent().slice(before);
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({
      templateId: provider.progressTemplate,
      params: provider.named({ applicationNo: APPLICATION_NO, stepName: '供电方案答复', expectedDate: expect.stringMatching(/年|月/) as unknown as string }),
    });
    expect(answers[0]!.to).toMatch(/13800001111$/);
  });

  it('answers "TD <application>" with the muted template and "BD <application>" with the unmuted one, and mutes in between', async () => {
    const { t, sent } = await provider.build();
    await planReplyStarted(t);
    t.app.jiedian.outbox.bind('sms', APPLICATION_PHONE, ACCOUNT_NO, t.clock.now());
    const before = sent().length;

    expect((await post(t, provider.reply(APPLICATION_PHONE, `TD ${APPLICATION_NO}`, 31))).statusCode).toBe(200);
    await t.app.jiedian.dispatcher.idle();
    // the next step's notice is held back for this number; nothing goes out but the answer
    await postEvents(t, [completed(APPLICATION_NO, 'plan_reply', '2026-11-24T10:30:00+08:00'), started(APPLICATION_NO, 'design_review', '2026-11-24T10:40:00+08:00')]);
    await t.app.jiedian.dispatcher.idle();
    expect((await post(t, provider.reply(APPLICATION_PHONE, `BD ${APPLICATION_NO}`, 32))).statusCode).toBe(200);
    await t.app.jiedian.dispatcher.idle();

    expect(sent().slice(before).map((s) => ({ templateId: s.templateId, params: s.params }))).toEqual([
      { templateId: provider.mutedTemplate, params: provider.named({ applicationNo: APPLICATION_NO }) },
      { templateId: provider.unmutedTemplate, params: provider.named({ applicationNo: APPLICATION_NO }) },
    ]);
  });

  it('answers an unbound number with the binding template and a question it cannot answer by text with the fallback', async () => {
    const { t, sent } = await provider.build();
    await planReplyStarted(t);
    const before = sent().length;
    await post(t, provider.reply('13911112222', 'JD', 21));
    await post(t, provider.reply('13911112222', '今天天气怎么样', 22));
    await t.app.jiedian.dispatcher.idle();
    const rows = t.database.db.select().from(outbox).where(eq(outbox.address, '13911112222')).all();
    expect(rows.map((r) => (r.variables as { template: string }).template)).toEqual(['unbound', 'fallback']);
    expect(sent().slice(before)).toHaveLength(2);
  });

  it('holds a second binding code to the same number for the verification limit, then sends it', async () => {
    const { t, sent } = await provider.build();
    await planReplyStarted(t);
    const now = t.clock.now();
    for (const [id, code] of [['limit-1', '111111'], ['limit-2', '222222']] as const) {
      t.app.jiedian.outbox.insert({
        id, applicationNo: APPLICATION_NO, recipientKind: 'customer', recipientRef: ACCOUNT_NO, channel: 'sms', address: APPLICATION_PHONE,
        noticeKind: 'bind_code', variables: { code, validMinutes: 10 }, text: `验证码${code}`, content: null, segments: 1, urgent: true, nextAttemptAt: now, createdAt: now,
      });
    }
    t.app.jiedian.dispatcher.wake();
    await t.app.jiedian.dispatcher.idle();
    expect(t.app.jiedian.outbox.byId('limit-1')).toMatchObject({ status: 'sent' });
    expect(t.app.jiedian.outbox.byId('limit-2')).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: now + 60_000 });
    expect(sent().filter((s) => s.outboxId === 'limit-2')).toHaveLength(0);

    t.clock.advance(60_000);
    t.app.jiedian.dispatcher.wake();
    await t.app.jiedian.dispatcher.idle();
    expect(t.app.jiedian.outbox.byId('limit-2')).toMatchObject({ status: 'sent', attempts: 1 });
    expect(sent().filter((s) => s.outboxId === 'limit-2')).toHaveLength(1);
  });

  it('refuses callbacks without the token (401) and malformed ones (400), changing nothing', async () => {
    const { t, sent } = await provider.build();
    await planReplyStarted(t);
    const sms = sent().find((s) => s.outboxId === stepRow(t).id)!;
    const report = provider.receipt(sms, true);

    for (const url of [report.url.replace(/\?token=.*$/, ''), report.url.replace(CALLBACK_TOKEN, 'wrong-token-0123456789')]) {
      const refused = await t.app.inject({ method: 'POST', url, payload: report.payload as object });
      expect(refused.statusCode).toBe(401);
      expect(refused.json()).toMatchObject({ statusCode: 401, code: 'JD_UNAUTHORIZED' });
    }
    const malformed = await t.app.inject({ method: 'POST', url: report.url, payload: { not: 'a report' } });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ code: 'JD_INVALID_REQUEST' });
    const replyMalformed = await t.app.inject({ method: 'POST', url: provider.reply('1', '', 1).url, payload: [{ content: 'JD' }] });
    expect(replyMalformed.statusCode).toBe(400);
    expect(stepRow(t)).toMatchObject({ status: 'sent' });

    const other = await provider.build({ env: { SMS_CALLBACK_ALLOWED_SOURCES: '10.0.0.1' } });
    const elsewhere = await other.t.app.inject({ method: 'POST', url: report.url, payload: report.payload as object });
    expect(elsewhere.statusCode).toBe(401);
  });
});

describe('template SMS through tencent, before the carrier has reported', () => {
  const inDoubtEnv = { SMS_REQUEST_TIMEOUT_MS: '300', TENCENT_SMS_REPORT_WAIT_MS: '600000' };
  const retry = async (t: TestApp, ms: number) => {
    t.clock.advance(ms);
    t.app.jiedian.dispatcher.wake();
    await t.app.jiedian.dispatcher.idle();
  };

  it('keeps a timed-out send in doubt and unsent while Tencent has no report of it, and takes the report once it comes', async () => {
    const { t, fail, sent, holdReports } = await tencent.build({ env: inDoubtEnv });
    await planReplyStarted(t, () => {
      holdReports!(true);
      fail('timeout'); // the message reaches Tencent; the answer does not come back
    });
    const row = stepRow(t);
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row.inDoubtSince).not.toBeNull();
    const copies = () => sent().filter((s) => s.outboxId === row.id);
    expect(copies()).toHaveLength(1);

    // the retries come due; Tencent cannot tell yet: each is a look-up only, not a send and not an attempt
    for (let i = 0; i < 3; i++) {
      await retry(t, 60_000);
      expect(t.app.jiedian.outbox.byId(row.id)).toMatchObject({ status: 'pending', attempts: 1, inDoubtSince: row.inDoubtSince, nextAttemptAt: t.clock.now() + 30_000 });
    }
    expect(copies()).toHaveLength(1);

    holdReports!(false); // the carrier reports: Tencent now lists the message
    await retry(t, 30_000);
    expect(t.app.jiedian.outbox.byId(row.id)).toMatchObject({ status: 'delivered', providerId: copies()[0]!.providerId });
    expect(copies()).toHaveLength(1);
  });

  it('sends a timed-out message again once TENCENT_SMS_REPORT_WAIT_MS has passed without a report (it never reached Tencent)', async () => {
    const { t, fail, sent } = await tencent.build({ env: { ...inDoubtEnv, TENCENT_SMS_REPORT_WAIT_MS: '120000' } });
    await planReplyStarted(t, () => fail('lost'));
    const row = stepRow(t);
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    const copies = () => sent().filter((s) => s.outboxId === row.id);

    await retry(t, 60_000);
    expect(t.app.jiedian.outbox.byId(row.id)).toMatchObject({ status: 'pending', attempts: 1 });
    expect(copies()).toHaveLength(0);

    await retry(t, 60_000);
    expect(t.app.jiedian.outbox.byId(row.id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(copies()).toHaveLength(1);
  });
});
