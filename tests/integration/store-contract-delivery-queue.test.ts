// The dispatcher's store port (DeliveryQueue) held to one contract on SQLite and PostgreSQL, over the same outbox
// rows; then what only several instances on one PostgreSQL database need: claims under a lease, taken over when it
// lapses, and an instance whose claim was taken over recording nothing over the new one.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client.ts';
import { createOutboxStore } from '../../db/outbox-store.ts';
import { openPostgres, type PostgresDatabase } from '../../db/postgres/client.ts';
import { createPostgresDeliveryQueue, type PostgresDeliveryQueue } from '../../db/postgres/delivery-queue.ts';
import { createSqliteDeliveryQueue } from '../../db/sqlite/delivery-queue.ts';
import type { DeliveryQueue, QueuedNotice } from '../../server/notices/delivery-queue.ts';
import { freshPostgresDatabase, type TestPostgres } from '../support/postgres.ts';

const START = 1_800_000_000_000;
const MINUTE = 60_000;
const LEASE = 5 * MINUTE;

interface RowState {
  status: string;
  attempts: number;
  nextAttemptAt: number;
  inDoubtSince: number | null;
  claimedAt: number | null;
  providerId: string | null;
  lastError: string | null;
}

/** An outbox row in SQL both databases accept, written in the order of the calls (ids are not in that order). */
function outboxRow(
  id: string,
  over: { channel?: string; address?: string; applicationNo?: string | null; lane?: number; dueIn?: number; status?: string } = {},
): string {
  const applicationNo = over.applicationNo === undefined || over.applicationNo === null ? 'NULL' : `'${over.applicationNo}'`;
  return `INSERT INTO outbox (id, application_no, recipient_kind, channel, address, notice_kind, variables, text, segments, urgent, lane,
      status, attempts, next_attempt_at, created_at, updated_at) VALUES ('${id}', ${applicationNo}, 'customer', '${over.channel ?? 'sms'}',
      '${over.address ?? '13800001111'}', 'bind_code', '{"code":"123456","validMinutes":10}', '验证码 ${id}', 1, TRUE, ${over.lane ?? 1},
      '${over.status ?? 'pending'}', 0, ${START + (over.dueIn ?? 0)}, ${START}, ${START});`;
}

interface QueueWorld {
  /** a second instance's queue on the same database (SQLite: the same process's) */
  queue(instance?: 'a' | 'b'): DeliveryQueue;
  insert(sql: string): Promise<void>;
  state(id: string): Promise<RowState>;
  close(): Promise<void>;
}

const columns = `status, attempts, next_attempt_at, in_doubt_since, claimed_at, provider_id, last_error`;
const stateOf = (row: Record<string, unknown>): RowState => ({
  status: row.status as string,
  attempts: Number(row.attempts),
  nextAttemptAt: Number(row.next_attempt_at),
  inDoubtSince: row.in_doubt_since === null ? null : Number(row.in_doubt_since),
  claimedAt: row.claimed_at === null ? null : Number(row.claimed_at),
  providerId: row.provider_id as string | null,
  lastError: row.last_error as string | null,
});

const implementations: { name: string; open(): Promise<QueueWorld> }[] = [
  {
    name: 'SQLite',
    async open() {
      const database = openDatabase(':memory:');
      const queue = createSqliteDeliveryQueue(createOutboxStore(database.db));
      return {
        queue: () => queue,
        insert: async (sql) => void database.sqlite.exec(sql),
        state: async (id) => stateOf(database.sqlite.prepare(`SELECT ${columns} FROM outbox WHERE id = ?`).get(id) as Record<string, unknown>),
        close: async () => database.close(),
      };
    },
  },
  {
    name: 'PostgreSQL',
    async open() {
      const target = await freshPostgresDatabase();
      const a = await openPostgres(target.url);
      const b = await openPostgres(target.url);
      const queues = {
        a: createPostgresDeliveryQueue(a, { instanceId: 'a', claimLeaseMs: LEASE }),
        b: createPostgresDeliveryQueue(b, { instanceId: 'b', claimLeaseMs: LEASE }),
      };
      return {
        queue: (instance = 'a') => queues[instance],
        insert: async (sql) => void (await a.pool.query(sql)),
        state: async (id) => stateOf((await a.pool.query(`SELECT ${columns} FROM outbox WHERE id = $1`, [id])).rows[0]),
        async close() {
          queues.a.close();
          queues.b.close();
          await a.close();
          await b.close();
          await target.drop();
        },
      };
    },
  },
];

const ids = (rows: QueuedNotice[]) => rows.map((row) => row.id);

describe.each(implementations)('the delivery queue on $name', (implementation) => {
  let world: QueueWorld;
  let queue: DeliveryQueue;
  const read = async (...wanted: string[]) => (await queue.due(START, ['sms', 'wechat'], 100)).filter((row) => wanted.includes(row.id));
  beforeEach(async () => {
    world = await implementation.open();
    queue = world.queue();
  });
  afterEach(() => world.close());

  it('offers due rows on the asked channels, the priority lane first, and a later one of a thread only after the earlier is sent', async () => {
    // written in this order in one millisecond; the ids sort otherwise
    await world.insert(
      outboxRow('z-later-due', { dueIn: 10 * MINUTE }) +
        outboxRow('y-first', { applicationNo: 'YX2026-0001' }) +
        outboxRow('x-second-of-thread', { applicationNo: 'YX2026-0001' }) +
        outboxRow('w-priority', { lane: 0, address: '13800002222' }) +
        outboxRow('v-wechat', { channel: 'wechat', address: 'wxid_a' }),
    );
    expect(ids(await queue.due(START, ['sms'], 10))).toEqual(['w-priority', 'y-first']);
    expect(ids(await queue.due(START, ['wechat'], 10))).toEqual(['v-wechat']);
    expect(await queue.due(START, [], 10)).toEqual([]);
    expect(ids(await queue.due(START, ['sms'], 1))).toEqual(['w-priority']);
    expect(await queue.nextDueAt()).toBe(START);

    const [first] = await read('y-first');
    // SQLite's rows carry the outbox's other columns besides
    expect(first).toMatchObject({
      id: 'y-first',
      applicationNo: 'YX2026-0001',
      recipientKind: 'customer',
      channel: 'sms',
      address: '13800001111',
      noticeKind: 'bind_code',
      variables: { code: '123456', validMinutes: 10 },
      text: '验证码 y-first',
      content: null,
      segments: 1,
      urgent: true,
      lane: 1,
      attempts: 0,
      inDoubtSince: null,
    } satisfies QueuedNotice);
    expect([...(await queue.claim([first!], START))]).toEqual(['y-first']);
    // claimed and unsent: the thread's next waits still
    expect(ids(await queue.due(START, ['sms'], 10))).toEqual(['w-priority']);
    await queue.recordOutcomes([{ id: 'y-first', status: 'sent', provider: 'twilio', providerId: 'SM1', at: START + 1 }]);
    expect(await world.state('y-first')).toMatchObject({ status: 'sent', attempts: 1, providerId: 'SM1', claimedAt: START });
    expect(ids(await queue.due(START, ['sms'], 10))).toEqual(['w-priority', 'x-second-of-thread']);
    expect(ids(await queue.due(START + 10 * MINUTE, ['sms'], 10))).toContain('z-later-due');
  });

  it('claims a row once: a second dispatcher claiming the same rows, at once or after, gets none of those already taken', async () => {
    await world.insert(outboxRow('a') + outboxRow('b', { address: '13800002222' }) + outboxRow('c', { address: '13800003333' }));
    const [a, b, c] = await read('a', 'b', 'c');
    const other = world.queue('b');
    expect([...(await queue.claim([a!], START))]).toEqual(['a']);
    const [mine, theirs] = await Promise.all([queue.claim([a!, b!, c!], START), other.claim([a!, b!, c!], START)]);
    expect([...mine, ...theirs].sort()).toEqual(['b', 'c']);
    expect(await world.state('a')).toMatchObject({ status: 'sending', attempts: 1, claimedAt: START });
    expect(await queue.due(START, ['sms'], 10)).toEqual([]);
  });

  it('puts a row off unclaimed, refuses one for good, and gives an attempt back only when told it did not count', async () => {
    await world.insert(outboxRow('put-off') + outboxRow('refused', { address: '13800002222' }) + outboxRow('retried', { address: '13800003333' }));
    await queue.putOff('put-off', START + 5 * MINUTE, START);
    await queue.refuse('refused', 'opted out', START);
    expect(ids(await queue.due(START, ['sms'], 10))).toEqual(['retried']);
    expect(await queue.nextDueAt()).toBe(START);
    expect(await world.state('put-off')).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: START + 5 * MINUTE });
    expect(await world.state('refused')).toMatchObject({ status: 'failed', attempts: 0, lastError: 'opted out' });

    await queue.claim(await read('retried'), START);
    await queue.recordOutcomes([{ id: 'retried', status: 'pending', nextAttemptAt: START + MINUTE, lastError: 'in doubt', at: START, inDoubtSince: START, notCounted: true }]);
    expect(await world.state('retried')).toMatchObject({ status: 'pending', attempts: 0, inDoubtSince: START, nextAttemptAt: START + MINUTE });
    expect(await queue.nextDueAt()).toBe(START + MINUTE);
    const [retried] = await queue.due(START + MINUTE, ['sms'], 10);
    expect(retried).toMatchObject({ id: 'retried', inDoubtSince: START });
  });

  it("puts rows a stopped process left sending back in the queue once their claim's lease is over, in doubt since their claim", async () => {
    await world.insert(outboxRow('left-sending'));
    await queue.claim(await read('left-sending'), START);
    expect(await queue.recoverSending(START + LEASE + 1)).toBe(1);
    expect(await world.state('left-sending')).toMatchObject({ status: 'pending', inDoubtSince: START, nextAttemptAt: START + LEASE + 1 });
    expect(await queue.recoverSending(START + LEASE + 1)).toBe(0);
    expect(await queue.due(START + LEASE + 1, ['sms'], 10)).toMatchObject([{ id: 'left-sending', attempts: 1, inDoubtSince: START }]);
  });

  it('keeps opt-outs per channel and address, and what went to an address lately', async () => {
    expect(await queue.isOptedOut('sms', '13800001111')).toBe(false);
    await queue.optOut('sms', '13800001111', START, 'twilio:21610');
    await queue.optOut('sms', '13800001111', START + 1, 'chat');
    expect(await queue.isOptedOut('sms', '13800001111')).toBe(true);
    expect(await queue.isOptedOut('wechat', '13800001111')).toBe(false);

    await world.insert(outboxRow('went') + outboxRow('going', { address: '13800001111', applicationNo: 'YX2026-0002' }));
    await queue.claim(await read('went', 'going'), START);
    await queue.recordOutcomes([{ id: 'went', status: 'sent', provider: 'twilio', providerId: 'SM2', at: START + 1 }]);
    const recent = await queue.recentTo('sms', '13800001111', START);
    expect(recent.sort((x, y) => x.text.localeCompare(y.text))).toEqual([
      { at: START, noticeKind: 'bind_code', text: '验证码 going', variables: { code: '123456', validMinutes: 10 } },
      { at: START + 1, noticeKind: 'bind_code', text: '验证码 went', variables: { code: '123456', validMinutes: 10 } },
    ]);
    expect(await queue.recentTo('sms', '13800001111', START + 2)).toEqual([]);
    expect(await queue.recentTo('wechat', '13800001111', START)).toEqual([]);
  });
});

describe('the delivery queue of several instances on one PostgreSQL database', () => {
  let target: TestPostgres;
  const opened: PostgresDatabase[] = [];
  const queues: PostgresDeliveryQueue[] = [];
  let now = START;
  async function instance(name: string): Promise<{ queue: PostgresDeliveryQueue; database: PostgresDatabase }> {
    const database = await openPostgres(target.url);
    opened.push(database);
    const queue = createPostgresDeliveryQueue(database, { instanceId: name, claimLeaseMs: LEASE, renewEveryMs: 60 * MINUTE, now: () => now });
    queues.push(queue);
    return { queue, database };
  }
  const state = async (database: PostgresDatabase, id: string) =>
    (await database.pool.query(`SELECT status, attempts, claimed_by, claim_expires_at::float8 AS expires, in_doubt_since::float8 AS in_doubt, provider_id FROM outbox WHERE id = $1`, [id])).rows[0];
  beforeEach(async () => {
    target = await freshPostgresDatabase();
    now = START;
  });
  afterEach(async () => {
    for (const queue of queues.splice(0)) queue.close();
    for (const database of opened.splice(0)) await database.close();
    await target.drop();
  });

  it("leaves a live instance's claim alone, renews it while its send is in flight, and takes it over once it lapses", async () => {
    const a = await instance('a');
    const b = await instance('b');
    await a.database.pool.query(outboxRow('r'));
    await a.queue.claim(await a.queue.due(START, ['sms'], 10), START);
    expect(await state(a.database, 'r')).toMatchObject({ status: 'sending', claimed_by: 'a', expires: START + LEASE });

    // b looks for work before the lease is over: a's claim is a's
    expect(await b.queue.due(START + LEASE - 1, ['sms'], 10)).toEqual([]);
    expect(await b.queue.recoverSending(START + LEASE - 1)).toBe(0);

    // a is alive and renews: still a's after the first lease would have ended
    now = START + LEASE - 1;
    expect(await a.queue.renewClaims()).toBe(1);
    expect(await b.queue.due(START + LEASE + 1, ['sms'], 10)).toEqual([]);

    // a stops renewing (it died): after its lease the row is b's to send, in doubt since a's claim
    const lapsed = START + 2 * LEASE;
    const [taken] = await b.queue.due(lapsed, ['sms'], 10);
    expect(taken).toMatchObject({ id: 'r', attempts: 1, inDoubtSince: START });
    expect([...(await b.queue.claim([taken!], lapsed))]).toEqual(['r']);
    expect(await state(a.database, 'r')).toMatchObject({ status: 'sending', claimed_by: 'b', attempts: 2 });
  });

  it("does not record an instance's late outcome over another instance's claim, but does over its own lapsed one", async () => {
    const a = await instance('a');
    const b = await instance('b');
    await a.database.pool.query(outboxRow('taken-over') + outboxRow('not-taken', { address: '13800002222' }));
    await a.queue.claim(await a.queue.due(START, ['sms'], 10), START);
    const lapsed = START + LEASE + 1;
    const due = await b.queue.due(lapsed, ['sms'], 10);
    expect(ids(due).sort()).toEqual(['not-taken', 'taken-over']);
    await b.queue.claim(due.filter((row) => row.id === 'taken-over'), lapsed);

    // a was only slow: its answers come in now
    await a.queue.recordOutcomes([
      { id: 'taken-over', status: 'sent', provider: 'twilio', providerId: 'SM-a', at: lapsed + 1 },
      { id: 'not-taken', status: 'sent', provider: 'twilio', providerId: 'SM-a2', at: lapsed + 1 },
    ]);
    expect(await state(a.database, 'taken-over')).toMatchObject({ status: 'sending', claimed_by: 'b', provider_id: null });
    expect(await state(a.database, 'not-taken')).toMatchObject({ status: 'sent', provider_id: 'SM-a2' });
    await b.queue.recordOutcomes([{ id: 'taken-over', status: 'sent', provider: 'twilio', providerId: 'SM-a', at: lapsed + 2 }]);
    expect(await state(a.database, 'taken-over')).toMatchObject({ status: 'sent', claimed_by: 'b', provider_id: 'SM-a' });
  });

  it('claims nothing another instance has changed since it was read, and neither puts off nor refuses a row another instance is sending', async () => {
    const a = await instance('a');
    const b = await instance('b');
    await a.database.pool.query(outboxRow('r') + outboxRow('s', { address: '13800002222' }));
    const seenByA = await a.queue.due(START, ['sms'], 10);
    // meanwhile b sends r, the answer is lost, and r is due again at once, in doubt
    const seenByB = await b.queue.due(START, ['sms'], 10);
    await b.queue.claim(seenByB, START);
    await b.queue.recordOutcomes([{ id: 'r', status: 'pending', nextAttemptAt: START, lastError: 'timeout', at: START, inDoubtSince: START }]);
    // a's copy of r says nothing is in doubt: sending it from that copy could send it twice
    expect([...(await a.queue.claim(seenByA, START))]).toEqual([]);
    const [again] = await a.queue.due(START, ['sms'], 10);
    expect(again).toMatchObject({ id: 'r', attempts: 1, inDoubtSince: START });
    expect([...(await a.queue.claim([again!], START))]).toEqual(['r']);

    // s is b's, in flight: a's quiet-hours put-off and opt-out refusal of its old copy change nothing
    await a.queue.putOff('s', START + MINUTE, START);
    await a.queue.refuse('s', 'opted out', START);
    expect(await state(a.database, 's')).toMatchObject({ status: 'sending', claimed_by: 'b' });
  });
});
