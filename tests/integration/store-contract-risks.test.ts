// The complaint-risk store port's contract, run against every implementation: SQLite and PostgreSQL give the same
// answers over the same rows, and two transactions racing on one application's read-then-write (two signals, a
// rating arriving twice) or on the day's item numbering are made one after the other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Transact } from '../../server/stores.ts';
import type { RiskStore } from '../../server/risks/risk-store.ts';
import { storeImplementations } from '../support/store-contract.ts';

const EXTRA_ROWS = `
INSERT INTO handlers (id, name, phone, team_id, role, updated_at) VALUES ('A001', '周敏', '13900000001', 'T01', 'admin', 1);
UPDATE applications SET risk_limit_at = 70 WHERE application_no = 'YX2026-0003';
INSERT INTO risk_items (id, application_no, team_id, handler_id, tier, status, opened_at, raised_at, last_signal_at, handle_by, text_at, texted_at,
    closed_at, closed_by, note) VALUES
  ('FX2611240001', 'YX2026-0001', 'T01', 'H001', 'warning', 'open', 10, 10, 12, 50, NULL, NULL, NULL, NULL, NULL),
  ('FX2611240002', 'YX2026-0002', 'T02', 'H101', 'urgent', 'open', 20, 25, 25, NULL, 30, NULL, NULL, NULL, NULL),
  ('FX2611240003', 'YX2026-0003', NULL, NULL, 'watch', 'closed', 5, 5, 5, NULL, NULL, NULL, 40, 'H009', '已回电');
INSERT INTO risk_signals (application_no, item_id, team_id, handler_id, kind, at, source, step_code, step_overdue, score, detail, rules, tier) VALUES
  ('YX2026-0001', 'FX2611240001', 'T01', 'H001', 'hurry', 10, 'kiosk', 'survey', FALSE, NULL, 'CB2611240001', '["repeat_hurry"]', 'warning'),
  ('YX2026-0001', NULL, 'T01', 'H001', 'progress_question', 8, 'sms', 'survey', TRUE, NULL, NULL, '[]', NULL),
  ('YX2026-0002', 'FX2611240002', 'T02', 'H101', 'complaint', 25, 'wechat', NULL, FALSE, NULL, '我要投诉', '["complaint_language"]', 'urgent');
INSERT INTO risk_audit (item_id, action, actor, at, detail) VALUES
  ('FX2611240001', 'opened', 'system', 10, 'warning repeat_hurry'),
  ('FX2611240003', 'closed', 'H009', 40, '已回电');
INSERT INTO ratings (application_no, team_id, handler_id, asked_at, score, comment, channel, first_rated_at, rated_at) VALUES
  ('YX2026-0001', 'T01', 'H001', 100, NULL, NULL, NULL, NULL, NULL),
  ('YX2026-0002', 'T02', 'H101', 90, 2, '太慢了', 'sms', 95, 95);
INSERT INTO exposure_months (month, team_id, urgent_items, ratings, satisfaction, breached, tier, created_at) VALUES
  ('2026-10', 'T01', 3, 0, NULL, TRUE, 'named', 1),
  ('2026-11', 'T01', 4, 2, 3.5, TRUE, 'interview', 2);
`;

const lead = { role: 'team_lead', handlerId: 'H009', teamId: 'T01' } as const;
const handler = { role: 'handler', handlerId: 'H001', teamId: 'T01' } as const;
const admin = { role: 'admin', handlerId: 'A001', teamId: 'T01' } as const;
const ids = (rows: { id: string }[]) => rows.map((row) => row.id);

describe.each(storeImplementations)('complaint risk on $name', (implementation) => {
  let risks: RiskStore;
  let transact: Transact;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const opened = await implementation.open(EXTRA_ROWS);
    risks = opened.stores.risks;
    transact = opened.transact;
    close = opened.close;
  });
  afterAll(() => close());

  it("reads an item, an application's item and the queues: open first by tier then age, then the closed since", async () => {
    expect(await risks.item('FX2611240003')).toEqual({
      id: 'FX2611240003',
      applicationNo: 'YX2026-0003',
      teamId: null,
      handlerId: null,
      tier: 'watch',
      status: 'closed',
      openedAt: 5,
      raisedAt: 5,
      lastSignalAt: 5,
      handleBy: null,
      textAt: null,
      textedAt: null,
      closedAt: 40,
      closedBy: 'H009',
      note: '已回电',
    });
    expect(await risks.item('FX2699999999')).toBeNull();
    expect((await risks.itemOfApplication('YX2026-0002'))?.id).toBe('FX2611240002');
    expect(ids(await risks.queue(admin, 0))).toEqual(['FX2611240002', 'FX2611240001', 'FX2611240003']);
    expect(ids(await risks.queue(admin, 41))).toEqual(['FX2611240002', 'FX2611240001']);
    expect(ids(await risks.queue(lead, 0))).toEqual(['FX2611240001', 'FX2611240003']);
    expect(ids(await risks.queue(handler, 0))).toEqual(['FX2611240001']);
  });

  it('finds owed texts, items past their handling limit, open counts, the day’s items and a month’s', async () => {
    expect(ids(await risks.textsDue(29))).toEqual([]);
    expect(ids(await risks.textsDue(30))).toEqual(['FX2611240002']);
    expect(ids(await risks.overdueBelowUrgent(50))).toEqual([]);
    expect(ids(await risks.overdueBelowUrgent(51))).toEqual(['FX2611240001']);
    expect(await risks.openCount()).toEqual([
      { tier: 'urgent', n: 1 },
      { tier: 'warning', n: 1 },
    ]);
    expect(await risks.countItemsSince(10)).toBe(2);
    expect(ids(await risks.itemsOpenedIn(5, 20))).toEqual(['FX2611240001', 'FX2611240003']);
  });

  it('reads signals oldest first with their rules, and the items urgent in a range', async () => {
    const ofApplication = await risks.signalsOfApplication('YX2026-0001');
    expect(ofApplication.map((s) => s.kind)).toEqual(['progress_question', 'hurry']);
    expect(ofApplication[0]).toMatchObject({ itemId: null, stepOverdue: true, rules: [], tier: null, score: null, source: 'sms' });
    expect(ofApplication[1]).toMatchObject({ itemId: 'FX2611240001', stepOverdue: false, rules: ['repeat_hurry'], tier: 'warning', detail: 'CB2611240001' });
    expect((await risks.signalsOfItem('FX2611240002')).map((s) => s.rules)).toEqual([['complaint_language']]);
    expect((await risks.signalsIn(0, 11)).map((s) => s.at)).toEqual([8, 10]);
    expect(await risks.urgentItemsIn(0, 100)).toEqual([{ itemId: 'FX2611240002', teamId: 'T02' }]);
    expect(await risks.urgentItemsIn(26, 100)).toEqual([]);
  });

  it('finds the applications owing a limit-risk signal, an application by its phone, the teams and the admins', async () => {
    expect(await risks.limitRisksDue(69)).toEqual([]);
    expect(await risks.limitRisksDue(70)).toEqual(['YX2026-0003']);
    expect(await risks.applicationOfPhone('13800002222')).toBe('YX2026-0002');
    expect(await risks.applicationOfPhone('13899999999')).toBeNull();
    expect(await risks.teams()).toEqual([
      { id: 'T01', name: '城东班' },
      { id: 'T02', name: '城西班' },
    ]);
    expect(await risks.admins()).toEqual([{ id: 'A001', name: '周敏', phone: '13900000001' }]);
    await transact(async (stores) => stores.risks.clearLimitRisk('YX2026-0003'));
    expect(await risks.limitRisksDue(1000)).toEqual([]);
  });

  it('reads and answers the follow-up, asking once per application', async () => {
    expect(await risks.rating('YX2026-0002')).toEqual({
      applicationNo: 'YX2026-0002',
      teamId: 'T02',
      handlerId: 'H101',
      askedAt: 90,
      score: 2,
      comment: '太慢了',
      channel: 'sms',
      firstRatedAt: 95,
      ratedAt: 95,
    });
    expect(await risks.rating('YX2026-0003')).toBeNull();
    expect(await risks.ratingsOfPhone('13800001111')).toEqual(['YX2026-0001']);
    expect((await risks.ratingsAskedIn(90, 101)).map((r) => r.applicationNo)).toEqual(['YX2026-0001', 'YX2026-0002']);
    expect((await risks.ratingsGivenIn(0, 100)).map((r) => r.applicationNo)).toEqual(['YX2026-0002']);
    expect(await transact((stores) => stores.risks.askRating({ applicationNo: 'YX2026-0003', teamId: null, handlerId: null, askedAt: 110 }))).toBe(true);
    expect(await transact((stores) => stores.risks.askRating({ applicationNo: 'YX2026-0003', teamId: 'T01', handlerId: 'H001', askedAt: 120 }))).toBe(false);
    expect(await risks.rating('YX2026-0003')).toMatchObject({ askedAt: 110, teamId: null, score: null });
    await transact((stores) => stores.risks.answerRating('YX2026-0003', { score: 5, comment: '满意', channel: 'wechat', ratedAt: 130, firstRatedAt: 130 }));
    expect(await risks.rating('YX2026-0003')).toMatchObject({ askedAt: 110, score: 5, comment: '满意', channel: 'wechat', ratedAt: 130, firstRatedAt: 130 });
  });

  it("keeps a month's exposure rows once per team, and a team's history newest first", async () => {
    expect(await risks.exposureRows('2026-11')).toEqual([
      { month: '2026-11', teamId: 'T01', urgentItems: 4, ratings: 2, satisfaction: 3.5, breached: true, tier: 'interview', createdAt: 2 },
    ]);
    expect((await risks.exposureHistory('T01', '2026-12', 2)).map((r) => r.month)).toEqual(['2026-11', '2026-10']);
    expect((await risks.exposureHistory('T01', '2026-11', 2)).map((r) => r.month)).toEqual(['2026-10']);
    const row = { month: '2026-12', teamId: 'T02', urgentItems: 0, ratings: 1, satisfaction: 4, breached: false, tier: null, createdAt: 3 };
    expect(await transact((stores) => stores.risks.insertExposure(row))).toBe(true);
    expect(await transact((stores) => stores.risks.insertExposure({ ...row, urgentItems: 9 }))).toBe(false);
    expect(await risks.exposureRows('2026-12')).toEqual([row]);
  });

  it('makes, changes, signals and audits an item in a unit of work', async () => {
    await transact(async ({ risks: tx }) => {
      await tx.insertItem({
        id: 'FX2611240004',
        applicationNo: 'YX2026-0100',
        teamId: null,
        handlerId: null,
        tier: 'warning',
        status: 'open',
        openedAt: 60,
        raisedAt: 60,
        lastSignalAt: 60,
        handleBy: 90,
      });
      const id = await tx.insertSignal({
        applicationNo: 'YX2026-0100',
        itemId: null,
        teamId: null,
        handlerId: null,
        kind: 'rating',
        at: 60,
        source: 'kiosk',
        stepCode: null,
        stepOverdue: false,
        score: 2,
        detail: '2分',
        rules: ['low_rating'],
        tier: 'warning',
      });
      await tx.attachSignal(id, 'FX2611240004');
      await tx.updateItem('FX2611240004', { tier: 'urgent', raisedAt: 61, textAt: 62 });
      await tx.audit('FX2611240004', 'opened', 'system', 60, 'warning low_rating');
      await tx.audit('FX2611240004', 'raised', 'system', 61);
    });
    expect(await risks.itemOfApplication('YX2026-0100')).toMatchObject({ id: 'FX2611240004', tier: 'urgent', openedAt: 60, raisedAt: 61, textAt: 62, handleBy: 90 });
    expect(await risks.signalsOfItem('FX2611240004')).toMatchObject([{ kind: 'rating', score: 2, rules: ['low_rating'], itemId: 'FX2611240004' }]);
    expect(await risks.auditOf('FX2611240004')).toEqual([
      { action: 'opened', actor: 'system', at: 60, detail: 'warning low_rating' },
      { action: 'raised', actor: 'system', at: 61, detail: null },
    ]);
    expect(await risks.auditOf('FX2611240003')).toEqual([{ action: 'closed', actor: 'H009', at: 40, detail: '已回电' }]);
  });

  it("judges two signals about one application at once one after the other: the second sees the first's", async () => {
    const signalSeeing = (at: number) =>
      transact(async ({ risks: tx }) => {
        await tx.lockApplication('YX2026-0002');
        const seen = (await tx.signalsOfApplication('YX2026-0002')).length;
        // the rest of a judgement's reads, which leave the other transaction time to read too unless it waits
        await tx.itemOfApplication('YX2026-0002');
        await tx.rating('YX2026-0002');
        await tx.insertSignal({
          applicationNo: 'YX2026-0002',
          itemId: null,
          teamId: 'T02',
          handlerId: 'H101',
          kind: 'hurry',
          at,
          source: 'sms',
          stepCode: 'accept',
          stepOverdue: false,
          score: null,
          detail: `seen ${seen}`,
          rules: [],
          tier: null,
        });
      });
    await Promise.all([signalSeeing(200), signalSeeing(201)]);
    expect((await risks.signalsOfApplication('YX2026-0002')).map((s) => s.detail).filter((d) => d?.startsWith('seen')).sort()).toEqual(['seen 1', 'seen 2']);
  });

  it('takes a rating arriving twice at once one after the other: the first answer stays the first', async () => {
    const answer = (score: number, now: number) =>
      transact(async ({ risks: tx }) => {
        await tx.lockApplication('YX2026-0001');
        const row = (await tx.rating('YX2026-0001'))!;
        await tx.answerRating('YX2026-0001', { score, comment: null, channel: 'sms', ratedAt: now, firstRatedAt: row.firstRatedAt ?? now });
      });
    await Promise.all([answer(1, 300), answer(4, 400)]);
    const rating = (await risks.rating('YX2026-0001'))!;
    expect([rating.firstRatedAt, rating.ratedAt].sort()).toEqual([300, 400]);
  });

  it('numbers two items opened at once on different applications apart', async () => {
    const open = (applicationNo: string) =>
      transact(async ({ risks: tx }) => {
        const id = `FX261125${String((await tx.countItemsSince(1000)) + 1).padStart(4, '0')}`;
        await tx.insertItem({ id, applicationNo, teamId: null, handlerId: null, tier: 'watch', status: 'open', openedAt: 1000, raisedAt: 1000, lastSignalAt: 1000, handleBy: null });
        return id;
      });
    const made = await Promise.all([open('YX2026-0101'), open('YX2026-0102')]);
    expect(made.sort()).toEqual(['FX2611250001', 'FX2611250002']);
  });
});
