// Stored progress views through the HTTP API, on either database: a database from before views were stored (its
// applications have none) opens and serves the same views as before, and a handler's new phone (PUT by the marketing
// system) is on the customer's next read.
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { applicationBody, buildTestApp, handlerBody, sharedTestDatabase, SYNC_TOKEN, type TestApp } from '../support/app.ts';

const http = (t: TestApp) => supertest(t.app.server);

async function sync(t: TestApp, method: 'put' | 'post', url: string, body: unknown) {
  const res = await http(t)[method](`/api/v1/sync${url}`).set('authorization', `Bearer ${SYNC_TOKEN}`).send(body as object);
  expect(res.status, res.text).toBeLessThan(300);
}

/** The customer's token for account 5300123456 and what GET /progress/:no answers for each of its applications. */
async function customerReads(t: TestApp): Promise<unknown[]> {
  const query = await http(t).post('/api/v1/progress/query').send({ accountNo: '5300123456', queryCode: '482913' });
  expect(query.status, query.text).toBe(200);
  const token = query.body.viewToken as string;
  const reads = [query.body.applications];
  for (const no of ['YX2026-0001', 'YX2026-0002']) {
    const res = await http(t).get(`/api/v1/progress/${no}`).set('authorization', `Bearer ${token}`);
    expect(res.status, res.text).toBe(200);
    reads.push(res.body);
  }
  return reads;
}

async function seed(t: TestApp) {
  await sync(t, 'put', '/handlers/H001', handlerBody());
  await sync(t, 'put', '/applications/YX2026-0001', applicationBody());
  await sync(t, 'put', '/applications/YX2026-0002', applicationBody({ processCode: 'lv_business', acceptedAt: '2026-11-22T14:00:00+08:00', requestedConnectDate: null }));
  await sync(t, 'post', '/events', {
    events: [
      { eventId: 'EV-1', applicationNo: 'YX2026-0001', stepCode: 'accept', type: 'step_started', at: '2026-11-20T09:00:00+08:00', handlerId: 'H001' },
      { eventId: 'EV-2', applicationNo: 'YX2026-0001', stepCode: 'accept', type: 'step_completed', at: '2026-11-20T10:00:00+08:00', handlerId: 'H001' },
      { eventId: 'EV-3', applicationNo: 'YX2026-0001', stepCode: 'survey', type: 'step_started', at: '2026-11-23T09:00:00+08:00', handlerId: 'H001' },
    ],
  });
}

describe('stored progress views', () => {
  it('a database whose applications have no stored view (written before they were) opens and serves the same views', async () => {
    const database = await sharedTestDatabase();
    const first = await database.build({ deps: { startDispatcher: false } });
    await seed(first);
    const before = await customerReads(first);
    // the database as a version from before views were stored left it
    await first.sql('DELETE FROM progress_views');
    await database.stop(first);

    const second = await database.build({ deps: { startDispatcher: false } });
    // PostgreSQL gives count(*) as text
    expect(Number((await second.sql('SELECT count(*) AS n FROM progress_views'))[0]!.n)).toBe(2);
    expect(await customerReads(second)).toEqual(before);
  });

  it("a handler's new phone from the marketing system is on the customer's next read", async () => {
    const t = await buildTestApp({ deps: { startDispatcher: false } });
    await seed(t);
    const [, before] = (await customerReads(t)) as { application: { currentStep: { handler: { phone: string } } } }[];
    expect(before!.application.currentStep.handler.phone).toBe('13912345678');
    await sync(t, 'put', '/handlers/H001', handlerBody({ phone: '13912340000' }));
    const [, after] = (await customerReads(t)) as { application: { currentStep: { handler: { phone: string } } } }[];
    expect(after!.application.currentStep.handler.phone).toBe('13912340000');
  });
});
