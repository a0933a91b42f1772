// Crash safety: outbox rows a stopped process left `pending` or `sending` are delivered once by the next one.
import { describe, expect, it } from 'vitest';
import { sharedTestDatabase } from '../support/app.ts';
import {
  buildNoticeAppOn,
  completed,
  fakeTwilioForTest,
  postEvents,
  putApplication,
  putHandler,
  started,
} from '../support/notices.ts';

const APPLICATIONS = ['YX2026-0001', 'YX2026-0002', 'YX2026-0003', 'YX2026-0004'];

describe('outbox crash safety', () => {
  it('rows left sending or pending by a stopped app are delivered exactly once by the next app on the same database', async () => {
    const fake = await fakeTwilioForTest();
    const database = await sharedTestDatabase();

    // The first process writes notices but dies before delivering them; some were being sent at that moment.
    const first = await buildNoticeAppOn(database, fake, { deps: { startDispatcher: false } });
    await putHandler(first);
    for (const [i, applicationNo] of APPLICATIONS.entries()) {
      await putApplication(first, applicationNo, { processCode: 'lv_resident', requestedConnectDate: undefined, phone: `1380000111${i}` });
      await postEvents(first, [
        started(applicationNo, 'accept', '2026-11-23T09:00:00+08:00'),
        completed(applicationNo, 'accept', '2026-11-23T10:00:00+08:00'),
        started(applicationNo, 'survey', '2026-11-24T09:00:00+08:00'),
      ]);
    }
    // a plan notice made obsolete by the next re-plan before it was sent is superseded, never sent (issue 12 item 14)
    const written = (await first.sql(`SELECT id FROM outbox WHERE status != 'superseded' ORDER BY ${first.config.postgres ? 'seq' : 'rowid'}`)).map((r) => r.id as string);
    expect(written.length).toBeGreaterThanOrEqual(APPLICATIONS.length * 2);
    const crashedMidSend = written.filter((_, i) => i % 2 === 0);
    for (const id of crashedMidSend) await first.sql("UPDATE outbox SET status = 'sending', attempts = 1 WHERE id = ?", id);
    await database.stop(first);
    expect(fake.requests).toEqual([]);

    const second = await buildNoticeAppOn(database, fake);
    await second.app.notices.dispatcher.idle();

    // the rows that were sending are looked up first (Twilio has none of them), then sent like the others
    const tokens = fake.sends().map((r) => r.idempotencyToken);
    expect([...tokens].sort()).toEqual([...written].sort());
    expect(fake.sends().every((r) => r.outcome === 201)).toBe(true);
    const rows = await second.sql("SELECT id, status, attempts FROM outbox WHERE status != 'superseded'");
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    expect(Object.fromEntries(rows.map((r) => [r.id, Number(r.attempts)]))).toEqual(
      Object.fromEntries(written.map((id) => [id, crashedMidSend.includes(id) ? 2 : 1])),
    );

    // a third start finds nothing left to send
    await database.stop(second);
    const third = await buildNoticeAppOn(database, fake);
    await third.app.notices.dispatcher.idle();
    expect(fake.sends()).toHaveLength(written.length);
  });

  it('a row that was sending when the process died, which Twilio never got, is sent again with the same idempotency key after a lookup', async () => {
    const fake = await fakeTwilioForTest();
    const database = await sharedTestDatabase();
    const first = await buildNoticeAppOn(database, fake, { deps: { startDispatcher: false } });
    await putApplication(first, 'YX2026-0001');
    const [id] = (await first.sql('SELECT id FROM outbox')).map((r) => r.id as string);
    await first.sql("UPDATE outbox SET status = 'sending', attempts = 1 WHERE id = ?", id);
    await database.stop(first);

    const second = await buildNoticeAppOn(database, fake);
    await second.app.notices.dispatcher.idle();

    expect(fake.sends().map((r) => r.idempotencyToken)).toEqual([id]);
    expect(fake.requests[0]!.method).toBe('GET');
  });
});
