// The hurry store port's contract, run against every implementation: SQLite and PostgreSQL give the same answers over
// the same rows (STORE_CONTRACT_ROWS holds CB2611240001, open on YX2026-0001's survey, in team T01).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stores, Transact } from '../../server/stores.ts';
import type { HurryStore } from '../../server/hurries/hurry-store.ts';
import { storeImplementations } from '../support/store-contract.ts';

const EXTRA_ROWS = `
INSERT INTO hurries (id, application_no, step_code, handler_id, team_id, channel, reply_address, message, status, count, created_at, last_hurried_at,
    escalate_at, answered_at) VALUES
  ('CB2611240002', 'YX2026-0001', 'survey', 'H001', 'T01', 'sms', '13800001111', '快点', 'answered', 2, 5, 6, 100, 50),
  ('CB2611240003', 'YX2026-0003', 'accept', NULL, NULL, 'wechat', NULL, NULL, 'open', 1, 3, 3, 40, NULL),
  ('CB2611240004', 'YX2026-0002', 'accept', 'H101', 'T02', 'kiosk', NULL, NULL, 'acknowledged', 1, 4, 4, 10, NULL);
`;

const lead = { role: 'team_lead', handlerId: 'H009', teamId: 'T01' } as const;
const handler = { role: 'handler', handlerId: 'H001', teamId: 'T01' } as const;
const admin = { role: 'admin', handlerId: 'A001', teamId: 'T00' } as const;
const ids = (rows: { id: string }[]) => rows.map((row) => row.id);

describe.each(storeImplementations)('hurries on $name', (implementation) => {
  let hurries: HurryStore;
  let transact: Transact;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const opened = await implementation.open(EXTRA_ROWS);
    hurries = opened.stores.hurries;
    transact = opened.transact;
    close = opened.close;
  });
  afterAll(() => close());

  it("reads a request, a step's latest one and an application's, newest first", async () => {
    expect(await hurries.byId('CB2611240002')).toEqual({
      id: 'CB2611240002',
      applicationNo: 'YX2026-0001',
      stepCode: 'survey',
      handlerId: 'H001',
      teamId: 'T01',
      channel: 'sms',
      replyAddress: '13800001111',
      message: '快点',
      status: 'answered',
      count: 2,
      createdAt: 5,
      lastHurriedAt: 6,
      escalateAt: 100,
      ackAt: null,
      ackBy: null,
      answeredAt: 50,
      answeredBy: null,
      reply: null,
      escalatedAt: null,
      escalationReason: null,
    });
    expect(await hurries.byId('CB2699999999')).toBeNull();
    expect((await hurries.latestOnStep('YX2026-0001', 'survey'))?.id).toBe('CB2611240002');
    expect(await hurries.latestOnStep('YX2026-0001', 'accept')).toBeNull();
    expect(ids(await hurries.ofApplication('YX2026-0001'))).toEqual(['CB2611240002', 'CB2611240001']);
  });

  it("lists a queue: unanswered first, oldest first, then the answered since; a team lead's includes requests of no team", async () => {
    expect(ids(await hurries.queue(admin, 0))).toEqual(['CB2611240001', 'CB2611240003', 'CB2611240004', 'CB2611240002']);
    expect(ids(await hurries.queue(admin, 51))).toEqual(['CB2611240001', 'CB2611240003', 'CB2611240004']);
    expect(ids(await hurries.queue(lead, 0))).toEqual(['CB2611240001', 'CB2611240003', 'CB2611240002']);
    expect(ids(await hurries.queue(handler, 0))).toEqual(['CB2611240002']);
  });

  it('finds open requests due to escalate, counts those of a day and those not answered', async () => {
    expect(ids(await hurries.openDueBy(39))).toEqual(['CB2611240001']);
    expect(ids(await hurries.openDueBy(40)).sort()).toEqual(['CB2611240001', 'CB2611240003']);
    expect(await hurries.countCreatedSince(4)).toBe(2);
    expect(await hurries.openCount()).toBe(3);
  });

  it('makes, changes and audits a request in a unit of work', async () => {
    await transact(async (stores: Stores) => {
      await stores.hurries.insert({
        id: 'CB2611240005',
        applicationNo: 'YX2026-0003',
        stepCode: 'accept',
        handlerId: null,
        teamId: null,
        channel: 'web',
        replyAddress: null,
        message: '请尽快',
        createdAt: 60,
        escalateAt: 160,
      });
      await stores.hurries.audit('CB2611240005', 'created', 'customer', 60, 'web');
      await stores.hurries.update('CB2611240005', { count: 2 });
      await stores.hurries.audit('CB2611240005', 'counted', 'customer', 61);
      await stores.hurries.update('CB2611240005', { status: 'escalated', escalatedAt: 62, escalationReason: 'repeated' });
    });
    expect(await hurries.byId('CB2611240005')).toMatchObject({ status: 'escalated', count: 2, createdAt: 60, lastHurriedAt: 60, escalatedAt: 62, escalationReason: 'repeated' });
    expect(await hurries.auditOf('CB2611240005')).toEqual([
      { action: 'created', actor: 'customer', at: 60, detail: 'web' },
      { action: 'counted', actor: 'customer', at: 61, detail: null },
    ]);
    expect((await hurries.latestOnStep('YX2026-0003', 'accept'))?.id).toBe('CB2611240005');
  });
});
