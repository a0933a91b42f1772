// A process that died mid-send through Aliyun or Tencent Cloud: the next app on the same database finds the row
// it left `sending` at the provider (findSent: Aliyun QuerySendDetails, Tencent its status reports) before anything
// is sent again. A message the provider has is never sent twice; one it never got is sent once (Aliyun), or, as
// Tencent cannot tell a message not reported yet from one it never got, failed in doubt rather than risk a copy.
import { describe, expect, it } from 'vitest';
import { sharedTestDatabase, type TestApp, type TestDatabase } from '../support/app.ts';
import { APPLICATION_NO } from '../support/chat.ts';
import { completed, postEvents, putApplication, putHandler, rowsOfKind, started } from '../support/notices.ts';
import { aliyun, providers, tencent, type ProviderHarness } from '../support/template-sms.ts';
import { NO_STATUS_REPORT } from '../../channels/sms-tencent/channel.ts';
import { DEFAULT_CLAIM_LEASE_MS } from '../../db/postgres/delivery-queue.ts';

/** hv_single, accepted and surveyed; plan_reply starts 11-24 09:00: a step_started SMS to 13800001111. */
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
}

const stepRowId = async (t: TestApp) => (await rowsOfKind(t, APPLICATION_NO, 'step_started')).at(-1)!.id;

/** The process dies holding the row: `sending`, claimed now, its answer (if any) never written down. */
async function dieSending(database: TestDatabase, t: TestApp, id: string) {
  await t.sql("UPDATE outbox SET status = 'sending', attempts = 1, claimed_at = ?, provider = NULL, provider_id = NULL, sent_at = NULL WHERE id = ?", t.clock.now(), id);
  await database.stop(t);
}

const lookups: Record<ProviderHarness['name'], string> = { aliyun: 'QuerySendDetails', tencent: 'PullSmsSendStatusByPhoneNumber' };

describe.each(providers)('a crash mid-send through $name', (provider: ProviderHarness) => {
  it('finds a row the dead app left sending, which the provider took, at the provider and does not send it again', async () => {
    const database = await sharedTestDatabase();
    const { t: first, sent, restart, requests } = await provider.build({ on: database });
    await planReplyStarted(first);
    await first.app.notices.dispatcher.idle();
    const id = await stepRowId(first);
    const copies = () => sent().filter((s) => s.outboxId === id);
    expect(copies()).toHaveLength(1);
    // the provider took it; the process died before it wrote the answer down
    await dieSending(database, first, id);

    // the next app starts once the dead app's claim is over: on PostgreSQL a claim within its lease
    // (DELIVERY_CLAIM_LEASE_MS) may be a live instance's, and is left to it
    const second = await restart({ on: database, now: first.clock.now() + DEFAULT_CLAIM_LEASE_MS });
    await second.app.notices.dispatcher.idle();

    expect(requests().some((r) => r.action === lookups[provider.name])).toBe(true);
    expect(await second.app.stores.outbox.byId(id)).toMatchObject({ status: expect.stringMatching(/^(sent|delivered)$/) as unknown as string });
    expect(copies()).toHaveLength(1);
    // nothing else was sent twice either
    const perRow = new Map<string, number>();
    for (const s of sent()) perRow.set(s.outboxId ?? '', (perRow.get(s.outboxId ?? '') ?? 0) + 1);
    expect([...perRow.values()].every((n) => n === 1)).toBe(true);
  });
});

describe('a crash mid-send through aliyun, before Aliyun got the message', () => {
  it('sends the row once: Aliyun has no message with its OutId', async () => {
    const database = await sharedTestDatabase();
    const { t: first, sent, restart, requests } = await aliyun.build({ on: database, deps: { startDispatcher: false } });
    await planReplyStarted(first);
    const id = await stepRowId(first);
    await dieSending(database, first, id);
    expect(sent()).toHaveLength(0);

    const second = await restart({ on: database });
    await second.app.notices.dispatcher.idle();

    expect(requests().some((r) => r.action === 'QuerySendDetails')).toBe(true);
    expect(sent().filter((s) => s.outboxId === id)).toHaveLength(1);
    expect(await second.app.stores.outbox.byId(id)).toMatchObject({ status: 'sent', attempts: 2 });
  });
});

describe('a crash mid-send through tencent, before Tencent got the message', () => {
  it('does not send the row while Tencent cannot tell, and fails it in doubt (never a second copy) when no report comes', async () => {
    const database = await sharedTestDatabase();
    const env = { TENCENT_SMS_REPORT_WAIT_MS: '120000' };
    const { t: first, sent, restart, requests } = await tencent.build({ on: database, env, deps: { startDispatcher: false } });
    await planReplyStarted(first);
    const id = await stepRowId(first);
    await dieSending(database, first, id);

    const second = await restart({ on: database, env });
    await second.app.notices.dispatcher.idle();
    expect(requests().some((r) => r.action === 'PullSmsSendStatusByPhoneNumber')).toBe(true);
    expect(await second.app.stores.outbox.byId(id)).toMatchObject({ status: 'pending', attempts: 1 });

    for (let i = 0; i < 5; i++) {
      second.clock.advance(30_000);
      second.app.notices.dispatcher.wake();
      await second.app.notices.dispatcher.idle();
    }
    expect(await second.app.stores.outbox.byId(id)).toMatchObject({ status: 'failed', lastError: expect.stringContaining(NO_STATUS_REPORT) as unknown as string });
    expect(sent().filter((s) => s.outboxId === id)).toHaveLength(0);
  });
});
