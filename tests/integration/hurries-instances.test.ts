// Hurry requests made at once on two instances of one PostgreSQL database. A reference number is the day's count
// plus one: two presses counting before either has committed would both take the same number (and the second's
// insert would fail on the key). The numbering is held until the unit of work ends, so the second counts the first.
// And a customer pressing one step on both instances at once makes one request: a press locks its application first,
// so the second press finds the first's request (and is within its cooldown).
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgres, type PostgresDatabase } from '../../db/postgres/client.ts';
import { openPostgresBackend } from '../../db/postgres/backend.ts';
import { createPostgresStores } from '../../db/postgres/stores.ts';
import { nextHurryReference } from '../../server/hurries/hurries.ts';
import type { Stores, Transact } from '../../server/stores.ts';
import { buildTestApp, testConfig, type TestApp } from '../support/app.ts';
import { customerA, customerB, hurryScenario } from '../support/live.ts';
import { freshPostgresDatabase, untilWaitingForALock } from '../support/postgres.ts';
import { STORE_CONTRACT_ROWS } from '../support/store-contract.ts';

/** 2026-11-25 10:00 in Shanghai (STORE_CONTRACT_ROWS' request is of another day) */
const NOW = Date.parse('2026-11-25T10:00:00+08:00');
const { timeZone } = testConfig();

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Two instances on one fresh database, each with its own pool, over STORE_CONTRACT_ROWS. */
async function twoInstances(): Promise<{ a: { stores: Stores; transact: Transact }; b: { stores: Stores; transact: Transact }; database: PostgresDatabase }> {
  const target = await freshPostgresDatabase();
  const first = await openPostgres(target.url, { poolSize: 3 });
  const second = await openPostgres(target.url, { poolSize: 3 });
  cleanups.push(async () => {
    await first.close();
    await second.close();
    await target.drop();
  });
  await first.pool.query(STORE_CONTRACT_ROWS);
  return { a: createPostgresStores(first), b: createPostgresStores(second), database: first };
}

/** A request on an application's step, numbered as a press numbers it, in the unit of work of `stores`. */
async function makeRequest(stores: Stores, id: string, applicationNo: string, stepCode: string): Promise<void> {
  await stores.hurries.insert({ id, applicationNo, stepCode, handlerId: null, teamId: null, channel: 'kiosk', replyAddress: null, message: null, createdAt: NOW, escalateAt: NOW + 3_600_000 });
}

describe('hurry reference numbers on two instances at once (PostgreSQL)', () => {
  it('numbers two requests made at the same moment one after the other, and both are kept', async () => {
    const { a, b, database } = await twoInstances();
    let aNumbered!: () => void;
    const aHasNumbered = new Promise<void>((resolve) => (aNumbered = resolve));
    let bNumbered!: () => void;
    const bHasNumbered = new Promise<void>((resolve) => (bNumbered = resolve));
    let done = false;

    // A numbers its request and holds its unit of work open until B has numbered too, or waits to
    const onA = a.transact(async (stores) => {
      const id = await nextHurryReference(stores.hurries, NOW, timeZone);
      aNumbered();
      await Promise.race([bHasNumbered, untilWaitingForALock(database.pool, () => done)]);
      await makeRequest(stores, id, 'YX2026-0001', 'survey');
      return id;
    });
    await aHasNumbered;
    const onB = b.transact(async (stores) => {
      const id = await nextHurryReference(stores.hurries, NOW, timeZone);
      bNumbered();
      await makeRequest(stores, id, 'YX2026-0003', 'accept');
      return id;
    });
    const made = await Promise.allSettled([onA, onB]);
    done = true;

    expect(made).toEqual([
      { status: 'fulfilled', value: 'CB2611250001' },
      { status: 'fulfilled', value: 'CB2611250002' },
    ]);
    expect((await a.stores.hurries.byId('CB2611250001'))?.applicationNo).toBe('YX2026-0001');
    expect((await b.stores.hurries.byId('CB2611250002'))?.applicationNo).toBe('YX2026-0003');
  });
});

describe('one customer pressing one step on two instances at once (PostgreSQL)', () => {
  it('makes one request: one press is taken, the other is within its cooldown and names it', async () => {
    const target = await freshPostgresDatabase();
    const apps: TestApp[] = [];
    const backends = [await openPostgresBackend({ url: target.url, leaseRetryMs: 100 }), await openPostgresBackend({ url: target.url, leaseRetryMs: 100 })];
    cleanups.push(async () => {
      for (const t of apps) await t.app.close();
      for (const backend of backends) await backend.close();
      await target.drop();
    });
    for (const backend of backends) apps.push(await buildTestApp({ now: Date.parse('2026-11-24T09:00:00+08:00'), deps: { backend, startSweeper: false } }));
    const [a, b] = apps as [TestApp, TestApp];
    await hurryScenario(a);
    for (const t of apps) t.clock.set(Date.parse('2026-11-24T10:00:00+08:00'));

    // both customers press their application's step through both instances at the same moment
    const press = async (t: TestApp, customer: typeof customerA) => {
      const query = await t.app.inject({ method: 'POST', url: '/api/v1/progress/query', payload: { accountNo: customer.accountNo, queryCode: customer.queryCode } });
      expect(query.statusCode).toBe(200);
      return { token: query.json().viewToken as string, t, customer };
    };
    const presses = await Promise.all([press(a, customerA), press(b, customerA), press(a, customerB), press(b, customerB)]);
    const answers = await Promise.all(
      presses.map(({ t, token, customer }) =>
        t.app.inject({ method: 'POST', url: `/api/v1/applications/${customer.applicationNo}/hurry`, headers: { authorization: `Bearer ${token}` }, payload: {} }),
      ),
    );

    for (const [first, second] of [answers.slice(0, 2), answers.slice(2, 4)] as const) {
      const statuses = [first!.statusCode, second!.statusCode].sort();
      expect(statuses).toEqual([202, 429]);
      const taken = (first!.statusCode === 202 ? first : second)!.json();
      const refused = (first!.statusCode === 429 ? first : second)!.json();
      expect(refused).toMatchObject({ code: 'JD_HURRY_COOLDOWN', hurryId: taken.hurry.id });
    }
    for (const customer of [customerA, customerB]) expect(await a.app.stores.hurries.ofApplication(customer.applicationNo)).toHaveLength(1);
  }, 120_000);
});
