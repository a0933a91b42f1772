// Mainland template SMS through Aliyun and Tencent Cloud: the real app and the vendors' SDKs against fake APIs on
// 127.0.0.1 that check each request's signature. Every scenario runs through both providers.
import { describe, expect, it } from 'vitest';
import { MAX_DELIVERY_ATTEMPTS } from '../../server/domain/delivery-policy.ts';
import { ACCOUNT_NO, APPLICATION_NO, APPLICATION_PHONE } from '../support/chat.ts';
import { completed, outboxTo, postEvents, putApplication, putHandler, rowsOfKind, started } from '../support/notices.ts';
import { deliveryQueueOf } from '../support/delivery-queue.ts';
import type { TestApp } from '../support/app.ts';
import { CALLBACK_TOKEN, aliyun, providers, tencent, type ProviderHarness } from '../support/template-sms.ts';
import { NO_STATUS_REPORT } from '../../channels/sms-tencent/channel.ts';

function capturingLogger() {
  const lines: string[] = [];
  return { logger: { level: 'info', stream: { write: (line: string) => void lines.push(line) } }, lines };
}
const scrapeMetrics = async (t: TestApp) => (await t.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' })).body;

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
  await t.app.notices.dispatcher.idle();
  beforeStep();
  await postEvents(t, [started(APPLICATION_NO, 'plan_reply', '2026-11-24T09:00:00+08:00')]);
  await t.app.notices.dispatcher.idle();
}

const stepRow = async (t: TestApp) => (await rowsOfKind(t, APPLICATION_NO, 'step_started')).at(-1)!;
/** what the provider got for the step notice's row */
const sentForStepRow = async <S extends { outboxId: string | null }>(t: TestApp, sent: S[]) => {
  const id = (await await stepRow(t)).id;
  return sent.filter((s) => s.outboxId === id);
};
const isOptedOut = async (t: TestApp, phone = APPLICATION_PHONE) => (await t.sql('SELECT channel FROM opt_outs WHERE address = ?', phone)).length > 0;
/** every sms_receipts row */
const receipts = async (t: TestApp) =>
  (await t.sql('SELECT provider, provider_id, outbox_id, status FROM sms_receipts')).map((r) => ({ provider: r.provider, providerId: r.provider_id, outboxId: r.outbox_id, status: r.status }));

async function post(t: TestApp, request: { url: string; payload: unknown }) {
  return t.app.inject({ method: 'POST', url: request.url, payload: request.payload as object });
}

describe.each(providers)('template SMS through $name', (provider: ProviderHarness) => {
  it('sends a step notice as its registered template with the step, the dates and the outbox id; every request signed', async () => {
    const { t, sent, requests } = await provider.build();
    await planReplyStarted(t);

    const row = await stepRow(t);
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
    const delivered = (await sentForStepRow(t, sent()))[0]!;

    const reply = await post(t, provider.receipt(delivered, true));
    expect(reply.statusCode).toBe(200);
    expect(reply.json()).toEqual(provider.accepted);
    expect(await stepRow(t)).toMatchObject({ status: 'delivered' });

    // the next notice fails at the handset; the report for the first one arrives again
    await postEvents(t, [completed(APPLICATION_NO, 'plan_reply', '2026-11-24T09:30:00+08:00'), started(APPLICATION_NO, 'design_review', '2026-11-24T09:40:00+08:00')]);
    await t.app.notices.dispatcher.idle();
    const second = await stepRow(t);
    const failed = sent().find((s) => s.outboxId === second.id)!;
    expect((await post(t, provider.receipt(failed, false, 'UNDELIV'))).statusCode).toBe(200);
    expect(await stepRow(t)).toMatchObject({ status: 'failed', lastError: 'delivery failed (UNDELIV)' });
    expect((await post(t, provider.receipt(delivered, false, 'LATE'))).statusCode).toBe(200);
    expect(await t.app.stores.outbox.byId(delivered.outboxId!)).toMatchObject({ status: 'delivered' });
  });

  it('marks the address opted out when the provider says the number refuses our texts', async () => {
    const { t, fail, sent } = await provider.build();
    if (provider.name === 'tencent') {
      await planReplyStarted(t, () => fail('opted_out')); // SendSms answers FailedOperation.PhoneNumberInBlacklist
      expect(await stepRow(t)).toMatchObject({ status: 'failed', lastError: expect.stringContaining('PhoneNumberInBlacklist') });
    } else {
      await planReplyStarted(t); // the carrier reports the number as blacklisted
      const sms = (await sentForStepRow(t, sent()))[0]!;
      expect((await post(t, provider.receipt(sms, false, 'MOBILE_IN_BLACK'))).statusCode).toBe(200);
      expect(await stepRow(t)).toMatchObject({ status: 'failed' });
    }
    expect(await isOptedOut(t)).toBe(true);
  });

  it('marks the address opted out when the customer replies TD', async () => {
    const { t } = await provider.build();
    await planReplyStarted(t);
    expect((await post(t, provider.reply(APPLICATION_PHONE, 'TD', 1))).statusCode).toBe(200);
    expect(await isOptedOut(t)).toBe(true);
  });

  it('retries a temporary error and sends once it passes; fails a permanent one at once without retrying', async () => {
    const { t, fail, sent } = await provider.build();
    await planReplyStarted(t, () => fail('temporary'));
    expect(await stepRow(t)).toMatchObject({ status: 'pending', attempts: 1 });
    t.clock.advance(3600_000);
    t.app.notices.dispatcher.wake();
    await t.app.notices.dispatcher.idle();
    expect(await stepRow(t)).toMatchObject({ status: 'sent', attempts: 2 });
    expect((await sentForStepRow(t, sent()))).toHaveLength(1);

    fail('permanent');
    await postEvents(t, [completed(APPLICATION_NO, 'plan_reply', '2026-11-24T11:30:00+08:00'), started(APPLICATION_NO, 'design_review', '2026-11-24T11:40:00+08:00')]);
    await t.app.notices.dispatcher.idle();
    const refused = await stepRow(t);
    expect(refused).toMatchObject({ status: 'failed', attempts: 1 });
    for (let i = 0; i < MAX_DELIVERY_ATTEMPTS; i++) {
      t.clock.advance(3600_000);
      t.app.notices.dispatcher.wake();
      await t.app.notices.dispatcher.idle();
    }
    expect(await t.app.stores.outbox.byId(refused.id)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(sent().filter((s) => s.outboxId === refused.id)).toHaveLength(0);
  });

  it('does not send again a message whose send timed out once the provider says it arrived', async () => {
    const { t, fail, sent } = await provider.build({ env: { SMS_REQUEST_TIMEOUT_MS: '300' } });
    await planReplyStarted(t, () => fail('timeout'));
    const row = await stepRow(t);
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row.inDoubtSince).not.toBeNull();
    expect(sent().filter((s) => s.outboxId === row.id)).toHaveLength(1);

    t.clock.advance(3600_000);
    t.app.notices.dispatcher.wake();
    await t.app.notices.dispatcher.idle();
    expect(await t.app.stores.outbox.byId(row.id)).toMatchObject({ status: expect.stringMatching(/^(sent|delivered)$/) });
    expect(sent().filter((s) => s.outboxId === row.id)).toHaveLength(1);
  });

  it('answers a bound customer\'s "JD" with the progress template, and a redelivered reply once', async () => {
    const { t, sent } = await provider.build();
    await planReplyStarted(t);
    await t.app.stores.bindings.bind({ channel: 'sms', address: APPLICATION_PHONE, accountNo: ACCOUNT_NO, at: t.clock.now(), applicationNos: null });
    const before = sent().length;

    const first = await post(t, provider.reply(APPLICATION_PHONE, 'JD', 7));
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual(provider.accepted);
    await t.app.notices.dispatcher.idle();
    const replayed = await post(t, provider.reply(APPLICATION_PHONE, 'JD', 7));
    expect(replayed.statusCode).toBe(200);
    await t.app.notices.dispatcher.idle();

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
    await t.app.stores.bindings.bind({ channel: 'sms', address: APPLICATION_PHONE, accountNo: ACCOUNT_NO, at: t.clock.now(), applicationNos: null });
    const before = sent().length;

    expect((await post(t, provider.reply(APPLICATION_PHONE, `TD ${APPLICATION_NO}`, 31))).statusCode).toBe(200);
    await t.app.notices.dispatcher.idle();
    // the next step's notice is held back for this number; nothing goes out but the answer
    await postEvents(t, [completed(APPLICATION_NO, 'plan_reply', '2026-11-24T10:30:00+08:00'), started(APPLICATION_NO, 'design_review', '2026-11-24T10:40:00+08:00')]);
    await t.app.notices.dispatcher.idle();
    expect((await post(t, provider.reply(APPLICATION_PHONE, `BD ${APPLICATION_NO}`, 32))).statusCode).toBe(200);
    await t.app.notices.dispatcher.idle();

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
    await t.app.notices.dispatcher.idle();
    const rows = await outboxTo(t, '13911112222');
    expect(rows.map((r) => (r.variables as { template: string }).template)).toEqual(['unbound', 'fallback']);
    expect(sent().slice(before)).toHaveLength(2);
  });

  it('holds a second binding code to the same number for the verification limit, then sends it', async () => {
    const { t, sent } = await provider.build();
    await planReplyStarted(t);
    const now = t.clock.now();
    for (const [id, code] of [['limit-1', '111111'], ['limit-2', '222222']] as const) {
      await t.app.stores.outbox.insert({
        id, applicationNo: APPLICATION_NO, recipientKind: 'customer', recipientRef: ACCOUNT_NO, channel: 'sms', address: APPLICATION_PHONE,
        noticeKind: 'bind_code', variables: { code, validMinutes: 10 }, text: `验证码${code}`, content: null, segments: 1, urgent: true, nextAttemptAt: now, createdAt: now,
      });
    }
    t.app.notices.dispatcher.wake();
    await t.app.notices.dispatcher.idle();
    expect(await t.app.stores.outbox.byId('limit-1')).toMatchObject({ status: 'sent' });
    expect(await t.app.stores.outbox.byId('limit-2')).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: now + 60_000 });
    expect(sent().filter((s) => s.outboxId === 'limit-2')).toHaveLength(0);

    t.clock.advance(60_000);
    t.app.notices.dispatcher.wake();
    await t.app.notices.dispatcher.idle();
    expect(await t.app.stores.outbox.byId('limit-2')).toMatchObject({ status: 'sent', attempts: 1 });
    expect(sent().filter((s) => s.outboxId === 'limit-2')).toHaveLength(1);
  });

  it('refuses callbacks without the token (401) and malformed ones (400), changing nothing', async () => {
    const { t, sent } = await provider.build();
    await planReplyStarted(t);
    const sms = (await sentForStepRow(t, sent()))[0]!;
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
    expect(await stepRow(t)).toMatchObject({ status: 'sent' });

    const other = await provider.build({ env: { SMS_CALLBACK_ALLOWED_SOURCES: '10.0.0.1' } });
    const elsewhere = await other.t.app.inject({ method: 'POST', url: report.url, payload: report.payload as object });
    expect(elsewhere.statusCode).toBe(401);
  });
});

const DAY = 24 * 3600_000;

describe.each(providers)('carrier limits and server errors through $name', (provider: ProviderHarness) => {
  const sendsOf = (requests: () => { action: string }[]) => requests().filter((r) => r.action === 'SendSms').length;
  const retryAt = async (t: TestApp, at: number) => {
    t.clock.set(at);
    t.app.notices.dispatcher.wake();
    await t.app.notices.dispatcher.idle();
  };

  it('keeps a notice the carrier refuses for its daily limit waiting for the next Beijing day, however often, then sends it once', async () => {
    const { t, fail, sent, requests } = await provider.build();
    await planReplyStarted(t, () => fail('day_limit', 12));
    const id = (await stepRow(t)).id;
    for (let day = 1; day <= 12; day++) {
      // the next Beijing midnight falls in quiet hours (22:00-08:00): the step notice waits for 08:00
      const release = Date.parse('2026-11-25T08:00:00+08:00') + (day - 1) * DAY;
      expect(await t.app.stores.outbox.byId(id)).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: release, lastError: expect.stringMatching(/limit/i) });
      const tried = sendsOf(requests);
      await retryAt(t, release - 60_000);
      expect(sendsOf(requests)).toBe(tried);
      await retryAt(t, release);
      expect(sendsOf(requests)).toBe(tried + 1);
    }
    expect(await t.app.stores.outbox.byId(id)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(sent().filter((s) => s.outboxId === id)).toHaveLength(1);
  });

  it('keeps a notice the carrier refuses for its hourly limit waiting an hour each time, not counted as attempts, then sends it once', async () => {
    const { t, fail, sent, requests } = await provider.build();
    await planReplyStarted(t, () => fail('hour_limit', MAX_DELIVERY_ATTEMPTS + 4));
    const id = (await stepRow(t)).id;
    for (let i = 0; i < MAX_DELIVERY_ATTEMPTS + 4; i++) {
      const row = (await t.app.stores.outbox.byId(id))!;
      expect(row).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: t.clock.now() + 3600_000 });
      const tried = sendsOf(requests);
      await retryAt(t, row.nextAttemptAt! - 1000);
      expect(sendsOf(requests)).toBe(tried);
      await retryAt(t, row.nextAttemptAt!);
    }
    expect(await t.app.stores.outbox.byId(id)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(sent().filter((s) => s.outboxId === id)).toHaveLength(1);
  });

  it("asks the provider before resending after its own server error, which may come after it took the message", async () => {
    const { t, fail, sent } = await provider.build();
    await planReplyStarted(t, () => fail('server_error'));
    const row = await stepRow(t);
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row.inDoubtSince).not.toBeNull();
    expect(sent().filter((s) => s.outboxId === row.id)).toHaveLength(1);

    await retryAt(t, t.clock.now() + 3600_000);
    expect(await t.app.stores.outbox.byId(row.id)).toMatchObject({ status: expect.stringMatching(/^(sent|delivered)$/) });
    expect(sent().filter((s) => s.outboxId === row.id)).toHaveLength(1);
  });
});

describe.each(providers)('status reports through $name, each applied once', (provider: ProviderHarness) => {
  it('keeps one sms_receipts row for a report posted twice', async () => {
    const { t, sent } = await provider.build();
    await planReplyStarted(t);
    const sms = (await sentForStepRow(t, sent()))[0]!;
    for (let i = 0; i < 3; i++) expect((await post(t, provider.receipt(sms, true))).statusCode).toBe(200);
    expect(await receipts(t)).toEqual([expect.objectContaining({ provider: provider.name, providerId: sms.providerId, outboxId: sms.outboxId, status: 'delivered' })]);
    expect(await stepRow(t)).toMatchObject({ status: 'delivered' });
  });

  it('keeps a report that came while the send still waited for its answer: the send does not turn delivered back into sent', async () => {
    const { t } = await provider.build();
    await planReplyStarted(t);
    const now = t.clock.now();
    const store = t.app.stores.outbox;
    // the dispatcher's side, driven by hand instead of the app's
    await t.app.notices.dispatcher.stop();
    const queue = await deliveryQueueOf(t);
    await store.insert({
      id: 'race-1', applicationNo: APPLICATION_NO, recipientKind: 'customer', recipientRef: ACCOUNT_NO, channel: 'sms', address: APPLICATION_PHONE,
      noticeKind: 'bind_code', variables: { code: '123456', validMinutes: 10 }, text: '验证码123456', content: null, segments: 1, urgent: true, nextAttemptAt: now, createdAt: now,
    });
    const due = (await queue.due(now, ['sms'], 100)).filter((r) => r.id === 'race-1');
    expect([...(await queue.claim(due, now))]).toEqual(['race-1']);
    // the provider reports by the outbox id it was given before its SendSms answer is recorded
    expect((await post(t, provider.receipt({ to: APPLICATION_PHONE, templateId: '', params: {}, outboxId: 'race-1', providerId: 'early-report-1' }, true))).statusCode).toBe(200);
    expect(await store.byId('race-1')).toMatchObject({ status: 'delivered' });
    await queue.recordOutcomes([{ id: 'race-1', status: 'sent', provider: provider.name, providerId: 'early-report-1', at: now + 1000 }]);
    expect(await store.byId('race-1')).toMatchObject({ status: 'delivered', providerId: 'early-report-1', sentAt: now + 1000 });
    expect((await store.byId('race-1'))!.deliveredAt).not.toBeNull();
  });
});

describe('status reports through aliyun, an opt-out applied once', () => {
  it('does not opt a number out again when a blacklist report it was re-subscribed after is posted again', async () => {
    const { t, sent } = await aliyun.build();
    await planReplyStarted(t);
    const sms = (await sentForStepRow(t, sent()))[0]!;
    expect((await post(t, aliyun.receipt(sms, false, 'MOBILE_IN_BLACK'))).statusCode).toBe(200);
    expect(await isOptedOut(t)).toBe(true);
    await t.app.stores.outbox.clearOptOut('sms', APPLICATION_PHONE); // the customer bound the number again
    expect((await post(t, aliyun.receipt(sms, false, 'MOBILE_IN_BLACK'))).statusCode).toBe(200);
    expect(await isOptedOut(t)).toBe(false);
  });
});

describe.each(providers)('callback batches through $name', (provider: ProviderHarness) => {
  it('applies the valid items of a batch with a bad one, logs the bad one whole at warn, and answers as accepted', async () => {
    const { logger, lines } = capturingLogger();
    const { t, sent } = await provider.build({ deps: { logger } });
    await planReplyStarted(t);
    const sms = (await sentForStepRow(t, sent()))[0]!;
    const good = provider.receipt(sms, true);
    const bad = { broken: 'item', mobile: 12345, phone_number: 13800001111 };
    const mixed = await post(t, { url: good.url, payload: [bad, ...(good.payload as unknown[])] });
    expect(mixed.statusCode).toBe(200);
    expect(mixed.json()).toEqual(provider.accepted);
    expect(await stepRow(t)).toMatchObject({ status: 'delivered' });
    expect(await receipts(t)).toHaveLength(1);
    const kept = lines.map((l) => JSON.parse(l) as { level: number; rejectedItem?: unknown; problem?: string }).filter((l) => l.rejectedItem !== undefined);
    expect(kept).toEqual([expect.objectContaining({ level: 40, rejectedItem: bad, problem: expect.stringContaining('body[0]') })]);

    // nothing valid: refused, nothing applied
    const allBad = await post(t, { url: good.url, payload: [bad] });
    expect(allBad.statusCode).toBe(400);
    expect(allBad.json()).toMatchObject({ code: 'JD_INVALID_REQUEST' });
  });

  it('answers a reply batch with a bad item for the good one', async () => {
    const { t, sent } = await provider.build();
    await planReplyStarted(t);
    await t.app.stores.bindings.bind({ channel: 'sms', address: APPLICATION_PHONE, accountNo: ACCOUNT_NO, at: t.clock.now(), applicationNos: null });
    const before = sent().length;
    const good = provider.reply(APPLICATION_PHONE, 'JD', 41);
    const payload = [{ content: 'JD' }, ...(Array.isArray(good.payload) ? good.payload : [good.payload])];
    expect((await post(t, { url: good.url, payload })).statusCode).toBe(200);
    await t.app.notices.dispatcher.idle();
    expect(sent().slice(before).map((s) => s.templateId)).toEqual([provider.progressTemplate]);
  });

  it('refuses a caller without the token with 401 before reading its body, broken JSON included', async () => {
    const { t } = await provider.build();
    const url = provider.receipt({ to: APPLICATION_PHONE, templateId: '', params: {}, outboxId: null, providerId: 'x' }, true).url.replace(/\?token=.*$/, '');
    for (const body of ['[{"broken', 'not json at all']) {
      const refused = await t.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: body });
      expect(refused.statusCode).toBe(401);
      expect(refused.json()).toMatchObject({ code: 'JD_UNAUTHORIZED' });
    }
    const withToken = await t.app.inject({ method: 'POST', url: `${url}?token=${CALLBACK_TOKEN}`, headers: { 'content-type': 'application/json' }, payload: '[{"broken' });
    expect(withToken.statusCode).toBe(400);
    expect(withToken.json()).toMatchObject({ code: 'JD_INVALID_REQUEST' });
  });
});

describe.each(providers)('callback sources through $name', (provider: ProviderHarness) => {
  it('takes callbacks from the allowed addresses and CIDR ranges only; behind a trusted proxy, from the address it forwards for', async () => {
    const { t } = await provider.build({ env: { SMS_CALLBACK_ALLOWED_SOURCES: '203.0.113.7,100.104.0.0/16', SMS_CALLBACK_TRUSTED_PROXIES: '10.0.0.2' } });
    const report = provider.receipt({ to: APPLICATION_PHONE, templateId: '', params: {}, outboxId: null, providerId: 'source-test' }, true);
    const from = async (remoteAddress: string, forwardedFor?: string) =>
      (await t.app.inject({ method: 'POST', url: report.url, remoteAddress, headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}, payload: report.payload as object })).statusCode;

    expect(await from('203.0.113.7')).toBe(200);
    expect(await from('::ffff:203.0.113.7')).toBe(200);
    expect(await from('100.104.33.9')).toBe(200);
    expect(await from('100.105.0.1')).toBe(401);
    expect(await from('203.0.113.8')).toBe(401);
    // the reverse proxy relays the provider's request
    expect(await from('10.0.0.2', '100.104.1.1')).toBe(200);
    expect(await from('10.0.0.2', '203.0.113.7, 198.51.100.1')).toBe(401);
    expect(await from('10.0.0.2')).toBe(401);
    // anyone else may write the header: it counts only from a trusted proxy
    expect(await from('198.51.100.1', '203.0.113.7')).toBe(401);
  });
});

describe('operator alerts', () => {
  it('logs an error and counts jiedian_sms_provider_alerts_total when Aliyun refuses for isv.AMOUNT_NOT_ENOUGH, and fails the notice', async () => {
    const { logger, lines } = capturingLogger();
    const { t, fail, sent } = await aliyun.build({ deps: { logger } });
    await planReplyStarted(t, () => fail('permanent')); // isv.AMOUNT_NOT_ENOUGH: the account's balance is spent
    expect(await stepRow(t)).toMatchObject({ status: 'failed', lastError: expect.stringContaining('isv.AMOUNT_NOT_ENOUGH') });
    expect((await sentForStepRow(t, sent()))).toHaveLength(0);
    const alerts = lines.map((l) => JSON.parse(l) as { level: number; provider?: string; code?: string; msg: string }).filter((l) => l.code === 'isv.AMOUNT_NOT_ENOUGH' && l.provider === 'aliyun');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ level: 50, msg: expect.stringContaining('needs an operator') });
    expect(await scrapeMetrics(t)).toContain('jiedian_sms_provider_alerts_total{provider="aliyun",code="isv.AMOUNT_NOT_ENOUGH"} 1');
  });
});

describe('template SMS through tencent, before the carrier has reported', () => {
  const inDoubtEnv = { SMS_REQUEST_TIMEOUT_MS: '300', TENCENT_SMS_REPORT_WAIT_MS: '600000' };
  const retry = async (t: TestApp, ms: number) => {
    t.clock.advance(ms);
    t.app.notices.dispatcher.wake();
    await t.app.notices.dispatcher.idle();
  };

  it('keeps a timed-out send in doubt and unsent while Tencent has no report of it, and takes the report once it comes', async () => {
    const { t, fail, sent, holdReports } = await tencent.build({ env: inDoubtEnv });
    await planReplyStarted(t, () => {
      holdReports!(true);
      fail('timeout'); // the message reaches Tencent; the answer does not come back
    });
    const row = await stepRow(t);
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row.inDoubtSince).not.toBeNull();
    const copies = () => sent().filter((s) => s.outboxId === row.id);
    expect(copies()).toHaveLength(1);

    // the retries come due; Tencent cannot tell yet: each is a look-up only, not a send and not an attempt
    for (let i = 0; i < 3; i++) {
      await retry(t, 60_000);
      expect(await t.app.stores.outbox.byId(row.id)).toMatchObject({ status: 'pending', attempts: 1, inDoubtSince: row.inDoubtSince, nextAttemptAt: t.clock.now() + 30_000 });
    }
    expect(copies()).toHaveLength(1);

    holdReports!(false); // the carrier reports: Tencent now lists the message
    await retry(t, 30_000);
    expect(await t.app.stores.outbox.byId(row.id)).toMatchObject({ status: 'delivered', providerId: copies()[0]!.providerId });
    expect(copies()).toHaveLength(1);
  });

  it('fails a timed-out message in doubt, never sending it again, with an operator alert, when TENCENT_SMS_REPORT_WAIT_MS passes without a report', async () => {
    const { logger, lines } = capturingLogger();
    const { t, fail, sent } = await tencent.build({ env: { ...inDoubtEnv, TENCENT_SMS_REPORT_WAIT_MS: '120000' }, deps: { logger } });
    await planReplyStarted(t, () => fail('lost'));
    const row = await stepRow(t);
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    const copies = () => sent().filter((s) => s.outboxId === row.id);

    await retry(t, 60_000);
    expect(await t.app.stores.outbox.byId(row.id)).toMatchObject({ status: 'pending', attempts: 1 });
    expect(copies()).toHaveLength(0);

    // the handset may be off and its report come hours later: a resend could be a second copy
    await retry(t, 60_000);
    expect(await t.app.stores.outbox.byId(row.id)).toMatchObject({ status: 'failed', lastError: expect.stringContaining(NO_STATUS_REPORT) });
    await retry(t, 3600_000);
    expect(copies()).toHaveLength(0);
    expect(lines.map((l) => JSON.parse(l) as { level: number; code?: string }).filter((l) => l.level === 50 && l.code === NO_STATUS_REPORT)).toHaveLength(1);
    expect((await scrapeMetrics(t))).toContain(`jiedian_sms_provider_alerts_total{provider="tencent",code="${NO_STATUS_REPORT}"} 1`);
  });
});
