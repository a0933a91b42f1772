// The time-limits store port's contract, run against every implementation: SQLite and PostgreSQL give the same
// answers over the same rows, and each claim (advancing a step, clearing a limit, an alert's text, a digest) is
// won once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Transact } from '../../server/stores.ts';
import type { Alert, AlertStore } from '../../server/time-limits/alert-store.ts';
import { storeImplementations } from '../support/store-contract.ts';

// YX2026-0001: accept done (100–900), the survey under way since 1000 (due 5000, its alert owed at 4000), handled by
// H001 of T01. YX2026-0003: accept under way since 2000 with nobody on it, alert owed at 3000. YX2026-0002's total
// limit alert is owed at 6000.
const TIMES = `
UPDATE application_steps SET actual_start = 100, actual_end = 900 WHERE application_no = 'YX2026-0001' AND step_code = 'accept';
UPDATE application_steps SET actual_start = 1000, due_at = 5000, alert_at = 4000 WHERE application_no = 'YX2026-0001' AND step_code = 'survey';
UPDATE application_steps SET actual_start = 2000, alert_at = 3000 WHERE application_no = 'YX2026-0003' AND step_code = 'accept';
UPDATE applications SET limit_alert_at = 6000 WHERE application_no = 'YX2026-0002';
`;

const alert = (over: Partial<Alert>): Alert => ({
  id: 'A1',
  applicationNo: 'YX2026-0001',
  stepCode: 'survey',
  occurrence: 1000,
  handlerId: 'H001',
  teamId: 'T01',
  level: 'warning',
  dueAt: 5000,
  raisedAt: 3000,
  live: true,
  notifyAt: 3000,
  notifiedAt: null,
  explanation: null,
  explainedAt: null,
  explainedBy: null,
  ...over,
});

const handler = { role: 'handler', handlerId: 'H001', teamId: 'T01' } as const;
const otherHandler = { role: 'handler', handlerId: 'H101', teamId: 'T02' } as const;
const lead = { role: 'team_lead', handlerId: 'H009', teamId: 'T01' } as const;
const otherLead = { role: 'team_lead', handlerId: 'H109', teamId: 'T02' } as const;
const admin = { role: 'admin', handlerId: 'A001', teamId: 'T00' } as const;
const ids = (alerts: Alert[]) => alerts.map((a) => a.id);

describe.each(storeImplementations)('time-limit alerts on $name', (implementation) => {
  let store: AlertStore;
  let transact: Transact;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const opened = await implementation.open(TIMES);
    store = opened.stores.alerts;
    transact = opened.transact;
    close = opened.close;
  });
  afterAll(() => close());

  it('lists the steps whose alert is owed, oldest first, with what the sweep needs, and moves each on once', async () => {
    expect(await store.owingSteps(3500, 10)).toEqual([
      { applicationNo: 'YX2026-0003', stepCode: 'accept', status: 'in_progress', actualStart: 2000, dueAt: null, alertAt: 3000, handlerId: null, teamId: null, handlerPhone: null, processCode: 'lv_resident' },
    ]);
    const owing = await store.owingSteps(4500, 10);
    expect(owing.map((s) => [s.applicationNo, s.alertAt])).toEqual([
      ['YX2026-0003', 3000],
      ['YX2026-0001', 4000],
    ]);
    expect(owing[1]).toMatchObject({ handlerId: 'H001', teamId: 'T01', handlerPhone: '13912345678', dueAt: 5000 });
    expect(await store.owingSteps(4500, 1)).toHaveLength(1);

    expect(await store.advanceStep('YX2026-0001', 'survey', 4000, 7000)).toBe(true);
    // a second sweep (or instance) expecting the same alert time finds it moved on
    expect(await store.advanceStep('YX2026-0001', 'survey', 4000, 7000)).toBe(false);
    expect((await store.owingSteps(4500, 10)).map((s) => s.applicationNo)).toEqual(['YX2026-0003']);
    expect(await store.advanceStep('YX2026-0003', 'accept', 3000, null)).toBe(true);
    expect(await store.owingSteps(1_000_000_000, 10)).toEqual([expect.objectContaining({ applicationNo: 'YX2026-0001', alertAt: 7000 })]);
  });

  it('lists the applications past their total limit and clears each once', async () => {
    expect(await store.owingApplications(5999, 10)).toEqual([]);
    expect(await store.owingApplications(6000, 10)).toEqual([{ applicationNo: 'YX2026-0002', processCode: 'lv_resident', limitAlertAt: 6000 }]);
    expect(await store.clearApplicationLimit('YX2026-0002', 5999)).toBe(false);
    expect(await store.clearApplicationLimit('YX2026-0002', 6000)).toBe(true);
    expect(await store.clearApplicationLimit('YX2026-0002', 6000)).toBe(false);
    expect(await store.owingApplications(1_000_000_000, 10)).toEqual([]);
  });

  it('raises each alert of a step occurrence once, shows it to whoever is responsible, and keeps an overdue one until explained', async () => {
    expect(await store.insert(alert({ id: 'A1' }))).toBe(true);
    // the same occurrence and level again (another sweep, another instance): not a second alert
    expect(await store.insert(alert({ id: 'A1-again' }))).toBe(false);
    expect(await store.byId('A1-again')).toBeUndefined();
    expect(await store.insert(alert({ id: 'A2', level: 'overdue', raisedAt: 5000, notifyAt: 5000 }))).toBe(true);
    expect(await store.insert(alert({ id: 'A3', applicationNo: 'YX2026-0003', stepCode: 'accept', occurrence: 2000, handlerId: null, teamId: null, raisedAt: 3000 }))).toBe(true);
    expect(await store.byId('A2')).toEqual(alert({ id: 'A2', level: 'overdue', raisedAt: 5000, notifyAt: 5000 }));

    expect(await store.hasOverdue('YX2026-0001', 'survey', 1000)).toBe(true);
    expect(await store.hasOverdue('YX2026-0001', 'survey', 999)).toBe(false);
    // overdue first, then oldest first
    expect(ids(await store.queue(handler))).toEqual(['A2', 'A1']);
    expect(ids(await store.queue(lead))).toEqual(['A2', 'A1']);
    expect(ids(await store.queue(admin))).toEqual(['A2', 'A1', 'A3']);
    expect(await store.queue(otherHandler)).toEqual([]);
    expect(await store.queue(otherLead)).toEqual([]);
    expect(await store.openCount()).toEqual(expect.arrayContaining([{ level: 'overdue', n: 1 }, { level: 'warning', n: 2 }]));

    await store.explain('A2', { text: '客户资料不全，已电话联系补充', at: 6000, by: 'H001' });
    expect(await store.byId('A2')).toMatchObject({ explanation: '客户资料不全，已电话联系补充', explainedAt: 6000, explainedBy: 'H001' });
    expect(ids(await store.queue(handler))).toEqual(['A1']);
    expect(ids(await store.ofApplication('YX2026-0001'))).toEqual(['A2', 'A1']);
    expect((await store.openCount()).find((c) => c.level === 'overdue')).toBeUndefined();
  });

  it('gives each due alert text to one caller', async () => {
    expect(ids(await store.dueForNotice(2999, 10))).toEqual([]);
    expect(ids(await store.dueForNotice(5000, 10))).toEqual(['A1', 'A3', 'A2']);
    expect(await store.claimNotice('A1', 5000)).toBe(true);
    expect(await store.claimNotice('A1', 5001)).toBe(false);
    expect((await store.byId('A1'))?.notifiedAt).toBe(5000);
    expect(ids(await store.dueForNotice(5000, 10))).toEqual(['A3', 'A2']);
    // five instances claiming the same text at once, each in its own transaction: one wins
    const claims = await Promise.all(Array.from({ length: 5 }, () => transact((tx) => tx.alerts.claimNotice('A3', 5000))));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(ids(await store.dueForNotice(5000, 10))).toEqual(['A2']);
    // an overdue recorded after the fact (live false) texts nobody
    expect(await store.insert(alert({ id: 'A4', applicationNo: 'YX2026-0003', stepCode: 'accept', occurrence: 2000, handlerId: null, teamId: null, level: 'overdue', live: false, dueAt: 3000, raisedAt: 4000, notifyAt: 4000 }))).toBe(true);
    expect(ids(await store.dueForNotice(9000, 10))).not.toContain('A4');
  });

  it('counts the statistics\u2019 facts and sends each team\u2019s weekly digest once', async () => {
    const occurrences = (await store.occurrencesInRange(0, 10_000)).map((o) => ({ ...o, overdue: Boolean(o.overdue) }));
    expect(occurrences.sort((a, b) => (a.actualStart ?? 0) - (b.actualStart ?? 0))).toEqual([
      { applicationNo: 'YX2026-0001', stepCode: 'accept', processCode: 'lv_resident', actualStart: 100, actualEnd: 900, status: 'done', handlerId: 'H001', handlerName: '李明', teamId: 'T01', teamName: '城东班', overdue: false },
      { applicationNo: 'YX2026-0001', stepCode: 'survey', processCode: 'lv_resident', actualStart: 1000, actualEnd: null, status: 'in_progress', handlerId: 'H001', handlerName: '李明', teamId: 'T01', teamName: '城东班', overdue: true },
      { applicationNo: 'YX2026-0003', stepCode: 'accept', processCode: 'lv_resident', actualStart: 2000, actualEnd: null, status: 'in_progress', handlerId: null, handlerName: null, teamId: null, teamName: null, overdue: true },
    ]);
    expect(await store.occurrencesInRange(950, 999)).toEqual([]);
    const stepAlerts = (await store.stepAlertsInRange(0, 10_000)).map((a) => ({ id: `${a.applicationNo}/${a.level}`, explained: Boolean(a.explained), team: a.teamName }));
    expect(stepAlerts.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: 'YX2026-0001/overdue', explained: true, team: '城东班' },
      { id: 'YX2026-0001/warning', explained: false, team: '城东班' },
      { id: 'YX2026-0003/overdue', explained: false, team: null },
      { id: 'YX2026-0003/warning', explained: false, team: null },
    ]);
    // overdue ones count by when the step was due (5000), warnings by when raised (3000)
    expect((await store.stepAlertsInRange(4000, 6000)).map((a) => `${a.applicationNo}/${a.level}`)).toEqual(['YX2026-0001/overdue']);

    expect(await store.teamLeads('T01')).toEqual([{ id: 'H009', phone: '13900009999' }]);
    expect(await store.teamLeads('T02')).toEqual([]);
    expect(await store.teamsWithLeads()).toEqual([{ teamId: 'T01', teamName: '城东班' }]);
    expect(await store.teamOverdueCount('T01', 0, 10_000)).toBe(1);
    expect(await store.teamOverdueCount('T01', 5001, 10_000)).toBe(0);
    expect(await store.recordDigest('T01', '2026-11-23', 7000)).toBe(true);
    expect(await store.recordDigest('T01', '2026-11-23', 7001)).toBe(false);
    expect(await store.recordDigest('T01', '2026-11-30', 8000)).toBe(true);
  });
});
