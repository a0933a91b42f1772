// Notices to one recipient written by two instances of one PostgreSQL database, in one millisecond: the outbox reads
// them in the order they were written (its seq, as SQLite's rowid), whichever instance wrote each, never by their
// random ids. What staff see of an application (newest first), the rows a newer fact supersedes (oldest first), the
// failures admins follow up (newest first) and the order they go out in all follow it.
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../../db/postgres/client.ts';
import { createPostgresDeliveryQueue } from '../../db/postgres/delivery-queue.ts';
import { createPostgresStores } from '../../db/postgres/stores.ts';
import type { NewOutboxRow, Outbox } from '../../server/notices/outbox.ts';
import { freshPostgresDatabase } from '../support/postgres.ts';

const APPLICATION = 'YX2026-0001';
const AT = Date.parse('2026-11-24T10:00:00+08:00');

/** The n-th notice written: ids that sort against the order of writing (the 1st is `n-9`, the 6th `n-4`). */
const notice = (n: number, over: Partial<NewOutboxRow> = {}): NewOutboxRow => ({
  id: `n-${10 - n}`,
  applicationNo: APPLICATION,
  recipientKind: 'customer',
  recipientRef: '5300123456',
  channel: 'sms',
  address: '13800001111',
  noticeKind: 'step_started',
  variables: {},
  text: `【接电】第${n}条`,
  segments: 1,
  urgent: false,
  topic: 'step:survey',
  nextAttemptAt: AT,
  createdAt: AT,
  ...over,
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function twoInstances() {
  const target = await freshPostgresDatabase();
  const first = await openPostgres(target.url, { poolSize: 2 });
  const second = await openPostgres(target.url, { poolSize: 2 });
  cleanups.push(async () => {
    await first.close();
    await second.close();
    await target.drop();
  });
  return { a: { database: first, outbox: createPostgresStores(first).stores.outbox }, b: { database: second, outbox: createPostgresStores(second).stores.outbox } };
}

/** Writes notices 1…count, the odd ones through A, the even ones through B, each in a unit of its own. */
async function writeAlternately(a: Outbox, b: Outbox, count: number, write: (outbox: Outbox, n: number) => Promise<void>): Promise<void> {
  for (let n = 1; n <= count; n++) await write(n % 2 ? a : b, n);
}

describe('notices to one recipient written by two instances in one millisecond (PostgreSQL)', () => {
  it('are read in the order they were written, and go out in it', async () => {
    const { a, b } = await twoInstances();
    await writeAlternately(a.outbox, b.outbox, 6, (outbox, n) => outbox.insert(notice(n)));
    const written = ['n-9', 'n-8', 'n-7', 'n-6', 'n-5', 'n-4'];

    // staff's list of the application's notices: newest first, on either instance
    expect((await a.outbox.ofApplication(APPLICATION)).map((r) => r.id)).toEqual([...written].reverse());
    expect((await b.outbox.ofApplication(APPLICATION)).map((r) => r.id)).toEqual([...written].reverse());

    // the thread goes out in the order written: only its first unsent notice is due, on either instance
    for (const { database } of [a, b]) {
      const queue = createPostgresDeliveryQueue(database);
      expect((await queue.due(AT, ['sms'], 10)).map((r) => r.id)).toEqual(['n-9']);
      queue.close();
    }

    // a newer fact supersedes them: the rows it made obsolete, oldest first
    expect((await b.outbox.supersede(APPLICATION, ['step:survey'], AT + 1, 'superseded: the step has completed')).map((r) => r.id)).toEqual(written);
  });

  it('lists failures newest first in the order they were written', async () => {
    const { a, b } = await twoInstances();
    await writeAlternately(a.outbox, b.outbox, 4, (outbox, n) => outbox.insertUnrendered(notice(n), 'not rendered: no template'));
    expect((await a.outbox.failures(10)).map((r) => r.id)).toEqual(['n-6', 'n-7', 'n-8', 'n-9']);
  });
});
