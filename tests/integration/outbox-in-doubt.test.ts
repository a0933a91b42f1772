// A message that may have reached the provider (the process died mid-send, the answer was lost) is looked up at the
// provider before it is sent again: never a second SMS to the customer.
import { describe, expect, it } from 'vitest';
import { TwilioSmsChannel } from '../../channels/sms-twilio/channel.ts';
import { sharedTestDatabase, type TestApp, type TestDatabase } from '../support/app.ts';
import { buildNoticeApp, buildNoticeAppOn, eventually, fakeTwilioForTest, outboxOf, putApplication, TWILIO_FROM } from '../support/notices.ts';
import type { OutboxRow } from '../../server/notices/outbox.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';

/** the outbox, oldest first: the one application's rows (no handler is synced, so its plan notice to the customer) */
const rowsOf = (t: TestApp) => outboxOf(t, 'YX2026-0001');

/** A first process writes the plan notice of one application and dies with it `sending`; `reached`: Twilio got it. */
async function diedMidSend(fake: FakeTwilio, database: TestDatabase, reached: boolean): Promise<OutboxRow> {
  const first = await buildNoticeAppOn(database, fake, { deps: { startDispatcher: false } });
  fake.now = () => first.clock.now();
  await putApplication(first, 'YX2026-0001');
  const [row] = await rowsOf(first);
  const claimedAt = first.clock.now();
  await first.sql("UPDATE outbox SET status = 'sending', attempts = 1, claimed_at = ? WHERE id = ?", claimedAt, row!.id);
  if (reached) {
    // the dying process's request, as Twilio received it
    const channel = new TwilioSmsChannel({ ...fake.credentials, from: TWILIO_FROM, apiBaseUrl: fake.url, statusCallbackUrl: null });
    await channel.send({ outboxId: row!.id, to: row!.address, text: row!.text, notice: { kind: 'plan_created', variables: {} } });
  }
  await database.stop(first);
  return { ...row!, claimedAt };
}

describe('outbox rows in doubt', () => {
  it('a row left sending whose message Twilio already has is recorded as sent with that message, and not sent again', async () => {
    const fake = await fakeTwilioForTest();
    const database = await sharedTestDatabase();
    const row = await diedMidSend(fake, database, true);
    expect(fake.sends()).toHaveLength(1);

    const second = await buildNoticeAppOn(database, fake, { now: row.claimedAt! + 60_000 });
    fake.now = () => second.clock.now();
    await second.app.notices.dispatcher.idle();

    expect(fake.sends()).toHaveLength(1);
    expect(fake.requests.some((r) => r.method === 'GET')).toBe(true);
    const [after] = await rowsOf(second);
    expect(after).toMatchObject({ id: row.id, status: 'sent', providerId: fake.messages[0]!.sid, inDoubtSince: row.claimedAt });
  });

  it('a row left sending that Twilio never got is looked up, then sent once', async () => {
    const fake = await fakeTwilioForTest();
    const database = await sharedTestDatabase();
    const row = await diedMidSend(fake, database, false);

    const second = await buildNoticeAppOn(database, fake, { now: row.claimedAt! + 60_000 });
    fake.now = () => second.clock.now();
    await second.app.notices.dispatcher.idle();

    expect(fake.sends().map((r) => r.idempotencyToken)).toEqual([row.id]);
    const lookups = fake.requests.filter((r) => r.method === 'GET');
    expect(lookups.length).toBeGreaterThan(0);
    expect(fake.requests.indexOf(lookups[0]!)).toBeLessThan(fake.requests.indexOf(fake.sends()[0]!));
    expect((await rowsOf(second))[0]).toMatchObject({ status: 'sent', providerId: fake.messages[0]!.sid, attempts: 2 });
  });

  it('a send whose answer was lost after Twilio created the message is looked up on its retry and not sent again', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    fake.now = () => t.clock.now();
    fake.failNext(1, { disconnect: true, created: true });
    await putApplication(t, 'YX2026-0001');
    await eventually(async () => { const [row] = await rowsOf(t); return row?.inDoubtSince !== null && row?.status === 'pending'; }, 'the lost answer to be recorded');
    const [failed] = await rowsOf(t);
    expect(failed).toMatchObject({ attempts: 1, inDoubtSince: failed!.claimedAt });

    t.clock.advance(60_000);
    t.app.notices.dispatcher.wake();
    await eventually(async () => (await rowsOf(t))[0]?.status === 'sent', 'the retry');
    expect(fake.sends()).toHaveLength(1);
    expect(fake.messages).toHaveLength(1);
    expect((await rowsOf(t))[0]).toMatchObject({ providerId: fake.messages[0]!.sid, attempts: 2 });
  });

  it('a send refused outright (429) is retried without a lookup: Twilio did not take it', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    fake.failNext(1, { status: 429 });
    await putApplication(t, 'YX2026-0001');
    await eventually(async () => { const [row] = await rowsOf(t); return row?.attempts === 1 && row?.status === 'pending'; }, 'the refusal to be recorded');
    expect((await rowsOf(t))[0]!.inDoubtSince).toBeNull();

    t.clock.advance(60_000);
    t.app.notices.dispatcher.wake();
    await eventually(async () => (await rowsOf(t))[0]?.status === 'sent', 'the retry');
    expect(fake.requests.filter((r) => r.method === 'GET')).toEqual([]);
    expect(fake.sends()).toHaveLength(2);
  });

  it('a lookup Twilio does not answer leaves the row waiting, in doubt, instead of sending blindly', async () => {
    const fake = await fakeTwilioForTest();
    const database = await sharedTestDatabase();
    const row = await diedMidSend(fake, database, true);
    const second = await buildNoticeAppOn(database, fake, { now: row.claimedAt! + 60_000, env: { TWILIO_API_BASE_URL: 'http://127.0.0.1:9' } });
    await eventually(async () => { const [row] = await rowsOf(second); return row?.status === 'pending' && row.attempts === 2; }, 'the failed lookup to be recorded');
    expect((await rowsOf(second))[0]).toMatchObject({ inDoubtSince: row.claimedAt });
    expect(fake.sends()).toHaveLength(1);
  });
});
