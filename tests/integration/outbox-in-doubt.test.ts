// A message that may have reached the provider (the process died mid-send, the answer was lost) is looked up at the
// provider before it is sent again: never a second SMS to the customer.
import { describe, expect, it } from 'vitest';
import { TwilioSmsChannel } from '../../channels/sms-twilio/channel.ts';
import { tempDatabasePath, type TestApp } from '../support/app.ts';
import { buildNoticeApp, eventually, fakeTwilioForTest, putApplication, TWILIO_FROM } from '../support/notices.ts';
import type { FakeTwilio } from '../support/fake-twilio.ts';

interface Row {
  id: string;
  address: string;
  text: string;
  status: string;
  attempts: number;
  provider_id: string | null;
  claimed_at: number | null;
  in_doubt_since: number | null;
}

const rowsOf = (t: TestApp) => t.database.sqlite.prepare('SELECT * FROM outbox ORDER BY rowid').all() as Row[];

/** A first process writes the plan notice of one application and dies with it `sending`; `reached`: Twilio got it. */
async function diedMidSend(fake: FakeTwilio, databasePath: string, reached: boolean): Promise<Row> {
  const first = await buildNoticeApp(fake, { databasePath, deps: { startDispatcher: false } });
  fake.now = () => first.clock.now();
  await putApplication(first, 'YX2026-0001');
  const [row] = rowsOf(first);
  const claimedAt = first.clock.now();
  first.database.sqlite.prepare("UPDATE outbox SET status = 'sending', attempts = 1, claimed_at = ? WHERE id = ?").run(claimedAt, row!.id);
  if (reached) {
    // the dying process's request, as Twilio received it
    const channel = new TwilioSmsChannel({ ...fake.credentials, from: TWILIO_FROM, apiBaseUrl: fake.url, statusCallbackUrl: null });
    await channel.send({ outboxId: row!.id, to: row!.address, text: row!.text, notice: { kind: 'plan_created', variables: {} } });
  }
  await first.app.close();
  first.database.close();
  return { ...row!, claimed_at: claimedAt };
}

describe('outbox rows in doubt', () => {
  it('a row left sending whose message Twilio already has is recorded as sent with that message, and not sent again', async () => {
    const fake = await fakeTwilioForTest();
    const databasePath = tempDatabasePath();
    const row = await diedMidSend(fake, databasePath, true);
    expect(fake.sends()).toHaveLength(1);

    const second = await buildNoticeApp(fake, { databasePath, now: row.claimed_at! + 60_000 });
    fake.now = () => second.clock.now();
    await second.app.notices.dispatcher.idle();

    expect(fake.sends()).toHaveLength(1);
    expect(fake.requests.some((r) => r.method === 'GET')).toBe(true);
    const [after] = rowsOf(second);
    expect(after).toMatchObject({ id: row.id, status: 'sent', provider_id: fake.messages[0]!.sid, in_doubt_since: row.claimed_at });
  });

  it('a row left sending that Twilio never got is looked up, then sent once', async () => {
    const fake = await fakeTwilioForTest();
    const databasePath = tempDatabasePath();
    const row = await diedMidSend(fake, databasePath, false);

    const second = await buildNoticeApp(fake, { databasePath, now: row.claimed_at! + 60_000 });
    fake.now = () => second.clock.now();
    await second.app.notices.dispatcher.idle();

    expect(fake.sends().map((r) => r.idempotencyToken)).toEqual([row.id]);
    const lookups = fake.requests.filter((r) => r.method === 'GET');
    expect(lookups.length).toBeGreaterThan(0);
    expect(fake.requests.indexOf(lookups[0]!)).toBeLessThan(fake.requests.indexOf(fake.sends()[0]!));
    expect(rowsOf(second)[0]).toMatchObject({ status: 'sent', provider_id: fake.messages[0]!.sid, attempts: 2 });
  });

  it('a send whose answer was lost after Twilio created the message is looked up on its retry and not sent again', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    fake.now = () => t.clock.now();
    fake.failNext(1, { disconnect: true, created: true });
    await putApplication(t, 'YX2026-0001');
    await eventually(() => rowsOf(t)[0]?.in_doubt_since !== null && rowsOf(t)[0]?.status === 'pending', 'the lost answer to be recorded');
    const [failed] = rowsOf(t);
    expect(failed).toMatchObject({ attempts: 1, in_doubt_since: failed!.claimed_at });

    t.clock.advance(60_000);
    t.app.notices.dispatcher.wake();
    await eventually(() => rowsOf(t)[0]?.status === 'sent', 'the retry');
    expect(fake.sends()).toHaveLength(1);
    expect(fake.messages).toHaveLength(1);
    expect(rowsOf(t)[0]).toMatchObject({ provider_id: fake.messages[0]!.sid, attempts: 2 });
  });

  it('a send refused outright (429) is retried without a lookup: Twilio did not take it', async () => {
    const fake = await fakeTwilioForTest();
    const t = await buildNoticeApp(fake);
    fake.failNext(1, { status: 429 });
    await putApplication(t, 'YX2026-0001');
    await eventually(() => rowsOf(t)[0]?.attempts === 1 && rowsOf(t)[0]?.status === 'pending', 'the refusal to be recorded');
    expect(rowsOf(t)[0]!.in_doubt_since).toBeNull();

    t.clock.advance(60_000);
    t.app.notices.dispatcher.wake();
    await eventually(() => rowsOf(t)[0]?.status === 'sent', 'the retry');
    expect(fake.requests.filter((r) => r.method === 'GET')).toEqual([]);
    expect(fake.sends()).toHaveLength(2);
  });

  it('a lookup Twilio does not answer leaves the row waiting, in doubt, instead of sending blindly', async () => {
    const fake = await fakeTwilioForTest();
    const databasePath = tempDatabasePath();
    const row = await diedMidSend(fake, databasePath, true);
    const second = await buildNoticeApp(fake, { databasePath, now: row.claimed_at! + 60_000, env: { TWILIO_API_BASE_URL: 'http://127.0.0.1:9' } });
    await eventually(() => rowsOf(second)[0]?.status === 'pending' && rowsOf(second)[0]!.attempts === 2, 'the failed lookup to be recorded');
    expect(rowsOf(second)[0]).toMatchObject({ in_doubt_since: row.claimed_at });
    expect(fake.sends()).toHaveLength(1);
  });
});
