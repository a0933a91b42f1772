// The application store port's contract, run against every implementation: SQLite and PostgreSQL give the same answers
// over the same rows (STORE_CONTRACT_ROWS: YX2026-0001 with three steps handled by H001 of T01, YX2026-0002 and
// YX2026-0003 with none or one).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Transact } from '../../server/stores.ts';
import type { ApplicationStore } from '../../server/applications/application-store.ts';
import { storeImplementations } from '../support/store-contract.ts';

const EXTRA_ROWS = `
INSERT INTO handlers (id, name, phone, team_id, role, updated_at) VALUES ('H300', '周八', '13900000300', 'T02', 'admin', 1);
INSERT INTO applications (application_no, account_no, customer_name, process_code, address, phone, query_code_hmac, accepted_at,
    status, account_manager_id, source_digest, plan_feasible, plan_basis, plan_compressed, planned_on, created_at, updated_at) VALUES
  ('YX2026-0004', '5300123456', '张三', 'lv_business', '城东路9号', '13800001111', 'h1', 9, 'completed', NULL, 'd4', FALSE, 'requested_date', TRUE, '2026-11-20', 1, 7);
INSERT INTO sync_events (event_id, application_no, step_code, type, at, handler_id, state, received_at, applied_at) VALUES
  ('E2', 'YX2026-0009', 'survey', 'step_started', 20, 'H001', 'parked', 21, NULL),
  ('E1', 'YX2026-0009', 'accept', 'step_completed', 10, NULL, 'parked', 11, NULL),
  ('E3', 'YX2026-0009', 'accept', 'step_started', 10, NULL, 'parked', 12, NULL),
  ('E4', 'YX2026-0001', 'accept', 'step_started', 5, 'H001', 'applied', 6, 6);
INSERT INTO step_completions (application_no, process_code, step_code, completed_at, workdays) VALUES
  ('YX2026-0001', 'lv_resident', 'accept', 100, 2),
  ('YX2026-0002', 'lv_resident', 'accept', 300, 4),
  ('YX2026-0003', 'lv_resident', 'accept', 200, 3),
  ('YX2026-0004', 'lv_business', 'accept', 400, 9);
INSERT INTO alerts (id, application_no, step_code, occurrence, handler_id, team_id, level, due_at, raised_at, live) VALUES
  ('A1', 'YX2026-0001', 'survey', 50, 'H001', 'T01', 'warning', 60, 55, TRUE),
  ('A2', 'YX2026-0001', '', 0, NULL, 'T01', 'overdue', 70, 71, TRUE),
  ('A3', 'YX2026-0002', 'accept', 5, NULL, NULL, 'overdue', 6, 7, FALSE);
INSERT INTO risk_signals (application_no, kind, at, source, step_overdue, rules) VALUES
  ('YX2026-0002', 'limit', 5, 'system', FALSE, '[]'),
  ('YX2026-0001', 'hurry', 5, 'kiosk', FALSE, '[]');
`;

const nos = (rows: { applicationNo: string }[]) => rows.map((row) => row.applicationNo);

describe.each(storeImplementations)('applications on $name', (implementation) => {
  let applications: ApplicationStore;
  let transact: Transact;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const opened = await implementation.open(EXTRA_ROWS);
    applications = opened.stores.applications;
    transact = opened.transact;
    close = opened.close;
  });
  afterAll(() => close());

  it('reads an application whole, booleans and instants as numbers, and an account’s applications newest first', async () => {
    expect(await applications.application('YX2026-0004')).toEqual({
      applicationNo: 'YX2026-0004',
      accountNo: '5300123456',
      customerName: '张三',
      processCode: 'lv_business',
      capacityKva: null,
      address: '城东路9号',
      phone: '13800001111',
      email: null,
      queryCodeHmac: 'h1',
      requestedConnectDate: null,
      acceptedAt: 9,
      status: 'completed',
      accountManagerId: null,
      sourceDigest: 'd4',
      expectedConnectDate: null,
      planFeasible: false,
      earliestFeasibleDate: null,
      planBasis: 'requested_date',
      planCompressed: true,
      plannedOn: '2026-11-20',
      createdAt: 1,
      updatedAt: 7,
      limitAlertAt: null,
      riskLimitAt: null,
    });
    expect(await applications.application('YX2099-9999')).toBeUndefined();
    expect(nos(await applications.applicationsOfAccount('5300123456', 'h1'))).toEqual(['YX2026-0004', 'YX2026-0001']);
    expect(await applications.applicationsOfAccount('5300123456', 'wrong')).toEqual([]);
  });

  it('reads the applications a unit of work locks, the same rows as a plain read, those that exist only', async () => {
    await transact(async (stores) => {
      expect(await stores.applications.applicationForUpdate('YX2026-0003')).toEqual(await stores.applications.application('YX2026-0003'));
      expect(await stores.applications.applicationForUpdate('YX2099-9999')).toBeUndefined();
      const locked = await stores.applications.applicationsForUpdate(['YX2026-0003', 'YX2099-9999', 'YX2026-0001', 'YX2026-0003']);
      expect([...locked.keys()]).toEqual(['YX2026-0001', 'YX2026-0003']);
      expect(locked.get('YX2026-0001')).toEqual(await stores.applications.application('YX2026-0001'));
      expect((await stores.applications.applicationsForUpdate([])).size).toBe(0);
    });
  });

  it('reads steps by position, one step, and the steps as a view shows them with their handler when the handler and team are known', async () => {
    expect((await applications.steps('YX2026-0001')).map((s) => [s.stepCode, s.position, s.status])).toEqual([
      ['accept', 0, 'done'],
      ['survey', 1, 'in_progress'],
      ['supply_plan', 2, 'pending'],
    ]);
    expect(await applications.step('YX2026-0001', 'survey')).toEqual({
      applicationNo: 'YX2026-0001',
      stepCode: 'survey',
      position: 1,
      status: 'in_progress',
      actualStart: null,
      actualEnd: null,
      lastStartedAt: null,
      lastCompletedAt: null,
      handlerId: 'H001',
      handlerAt: null,
      plannedStart: null,
      plannedEnd: null,
      dueAt: null,
      warnAt: null,
      alertAt: null,
    });
    expect(await applications.step('YX2026-0001', 'connect')).toBeUndefined();
    const view = (await applications.stepsForView('YX2026-0001')).sort((a, b) => a.stepCode.localeCompare(b.stepCode));
    expect(view).toEqual([
      { stepCode: 'accept', status: 'done', actualStart: null, actualEnd: null, handlerId: 'H001', plannedStart: null, plannedEnd: null, dueAt: null, handlerName: '李明', handlerPhone: '13912345678', handlerTeamId: 'T01' },
      { stepCode: 'supply_plan', status: 'pending', actualStart: null, actualEnd: null, handlerId: null, plannedStart: null, plannedEnd: null, dueAt: null, handlerName: null, handlerPhone: null, handlerTeamId: null },
      { stepCode: 'survey', status: 'in_progress', actualStart: null, actualEnd: null, handlerId: 'H001', plannedStart: null, plannedEnd: null, dueAt: null, handlerName: '李明', handlerPhone: '13912345678', handlerTeamId: 'T01' },
    ]);
    expect(await applications.stepsForView('YX2099-9999')).toEqual([]);
  });

  it('reads a handler with their team, the alerts raised for an application and whether its limit risk was raised', async () => {
    expect(await applications.handler('H009')).toEqual({ id: 'H009', name: '王建国', phone: '13900009999', teamId: 'T01', teamName: '城东班', role: 'team_lead', wecomUserId: null, email: null });
    expect(await applications.handler('H777')).toBeUndefined();
    const raised = (await applications.raisedAlerts('YX2026-0001')).sort((a, b) => a.stepCode.localeCompare(b.stepCode));
    expect(raised).toEqual([
      { stepCode: '', occurrence: 0, level: 'overdue' },
      { stepCode: 'survey', occurrence: 50, level: 'warning' },
    ]);
    expect(await applications.raisedAlerts('YX2026-0003')).toEqual([]);
    expect(await applications.limitRiskRaised('YX2026-0002')).toBe(true);
    expect(await applications.limitRiskRaised('YX2026-0001')).toBe(false);
  });

  it('walks plan states by number after a position, a bounded number at a time', async () => {
    expect(await applications.planStatesAfter('', 2)).toEqual([
      { applicationNo: 'YX2026-0001', status: 'active', plannedOn: '2026-11-24', updatedAt: 1 },
      { applicationNo: 'YX2026-0002', status: 'active', plannedOn: '2026-11-24', updatedAt: 1 },
    ]);
    expect(nos(await applications.planStatesAfter('YX2026-0002', 5))).toEqual(['YX2026-0003', 'YX2026-0004']);
    expect(await applications.planStatesAfter('YX2026-0004', 5)).toEqual([]);
  });

  it("reads sync events: whether one exists, an application's parked ones oldest first (the first id on a tie)", async () => {
    expect(await applications.eventExists('E4')).toBe(true);
    expect(await applications.eventExists('E9')).toBe(false);
    expect((await applications.parkedEvents('YX2026-0009')).map((e) => e.eventId)).toEqual(['E1', 'E3', 'E2']);
    expect(await applications.parkedEvents('YX2026-0001')).toEqual([]);
  });

  it('gives the latest completions of a process step, newest first, at most as many as asked', async () => {
    expect(await applications.recentCompletionWorkdays('lv_resident', 'accept', 2)).toEqual([4, 3]);
    expect(await applications.recentCompletionWorkdays('lv_resident', 'accept', 10)).toEqual([4, 3, 2]);
    expect(await applications.recentCompletionWorkdays('lv_resident', 'survey', 10)).toEqual([]);
  });

  it('writes a new application, its steps, a moved and a removed step, its source again, a plan and a requested date in a unit of work', async () => {
    const source = {
      accountNo: '5300999999',
      customerName: '赵六',
      processCode: 'lv_resident',
      capacityKva: 12.5,
      address: '城西路8号',
      phone: '13800008888',
      queryCodeHmac: 'h8',
      requestedConnectDate: '2027-01-15',
      acceptedAt: 1000,
      status: 'active' as const,
      accountManagerId: 'H101',
      email: 'zhao@example.cn',
    };
    await transact(async ({ applications: a }) => {
      await a.insertApplication({ applicationNo: 'YX2026-0008', ...source, sourceDigest: 's1', plannedOn: '2026-11-24' }, 2000);
      await a.addStep('YX2026-0008', 'accept', 0);
      await a.addStep('YX2026-0008', 'survey', 1);
      await a.addStep('YX2026-0008', 'connect', 2);
      await a.moveStep('YX2026-0008', 'connect', 1);
      await a.removeStep('YX2026-0008', 'survey');
    });
    expect(await applications.application('YX2026-0008')).toMatchObject({
      ...source,
      sourceDigest: 's1',
      plannedOn: '2026-11-24',
      planFeasible: true,
      planBasis: 'typical',
      planCompressed: false,
      createdAt: 2000,
      updatedAt: 2000,
      expectedConnectDate: null,
    });
    expect((await applications.steps('YX2026-0008')).map((s) => [s.stepCode, s.position, s.status])).toEqual([
      ['accept', 0, 'pending'],
      ['connect', 1, 'pending'],
    ]);

    await transact(async ({ applications: a }) => {
      await a.updateApplicationSource('YX2026-0008', { ...source, customerName: '赵六六', status: 'suspended', email: null }, 's2', 3000);
      await a.updateStepState({
        applicationNo: 'YX2026-0008',
        stepCode: 'accept',
        status: 'done',
        actualStart: 2100,
        actualEnd: 2900,
        lastStartedAt: 2100,
        lastCompletedAt: 2900,
        handlerId: 'H001',
        handlerAt: 2100,
      });
      await a.updateStepPlan({ applicationNo: 'YX2026-0008', stepCode: 'connect', plannedStart: '2026-12-01', plannedEnd: '2026-12-03', dueAt: 5000, warnAt: 4000, alertAt: 4000 });
      await a.updateApplicationPlan({
        applicationNo: 'YX2026-0008',
        expectedConnectDate: '2026-12-03',
        planFeasible: false,
        earliestFeasibleDate: '2026-12-03',
        planBasis: 'requested_date',
        planCompressed: true,
        plannedOn: '2026-11-25',
        updatedAt: 3100,
        limitAlertAt: 6000,
        riskLimitAt: null,
      });
      await a.setRequestedConnectDate('YX2026-0008', null);
    });
    expect(await applications.application('YX2026-0008')).toMatchObject({
      customerName: '赵六六',
      status: 'suspended',
      email: null,
      sourceDigest: 's2',
      requestedConnectDate: null,
      expectedConnectDate: '2026-12-03',
      planFeasible: false,
      earliestFeasibleDate: '2026-12-03',
      planBasis: 'requested_date',
      planCompressed: true,
      plannedOn: '2026-11-25',
      updatedAt: 3100,
      limitAlertAt: 6000,
      riskLimitAt: null,
      createdAt: 2000,
    });
    expect(await applications.step('YX2026-0008', 'accept')).toMatchObject({ status: 'done', actualStart: 2100, actualEnd: 2900, lastCompletedAt: 2900, handlerId: 'H001', handlerAt: 2100, plannedStart: null });
    expect(await applications.step('YX2026-0008', 'connect')).toMatchObject({ status: 'pending', plannedStart: '2026-12-01', plannedEnd: '2026-12-03', dueAt: 5000, warnAt: 4000, alertAt: 4000 });
  });

  it('records events, settles a parked one, and keeps one completion per step (a later one replaces it)', async () => {
    await transact(async ({ applications: a }) => {
      await a.insertEvent({ eventId: 'E5', applicationNo: 'YX2026-0003', stepCode: 'accept', type: 'step_completed', at: 30, handlerId: null, state: 'applied', receivedAt: 31, appliedAt: 31 });
      await a.settleParkedEvent('E1', 'applied', 40, null);
      await a.settleParkedEvent('E3', 'rejected', null, 'stepCode "accept" is not a step of process x');
      await a.recordCompletion({ applicationNo: 'YX2026-0003', processCode: 'lv_resident', stepCode: 'accept', completedAt: 500, workdays: 7 });
      await a.recordCompletion({ applicationNo: 'YX2026-0003', processCode: 'lv_resident', stepCode: 'survey', completedAt: 600, workdays: 1 });
    });
    expect(await applications.eventExists('E5')).toBe(true);
    expect((await applications.parkedEvents('YX2026-0009')).map((e) => e.eventId)).toEqual(['E2']);
    expect(await applications.recentCompletionWorkdays('lv_resident', 'accept', 10)).toEqual([7, 4, 2]);
    expect(await applications.recentCompletionWorkdays('lv_resident', 'survey', 10)).toEqual([1]);
  });

  it('upserts a synced handler and their team: contacts replaced, the team renamed, an admin granted in Jiedian kept', async () => {
    await transact(async ({ applications: a }) => {
      await a.upsertHandler({ id: 'H200', name: '孙七', phone: '13900000200', teamId: 'T03', teamName: '城南班', role: 'handler', wecomUserId: 'sunqi', email: 'sun@example.cn' }, 10);
    });
    expect(await applications.handler('H200')).toEqual({ id: 'H200', name: '孙七', phone: '13900000200', teamId: 'T03', teamName: '城南班', role: 'handler', wecomUserId: 'sunqi', email: 'sun@example.cn' });
    await transact(async ({ applications: a }) => {
      await a.upsertHandler({ id: 'H200', name: '孙七', phone: '13900000201', teamId: 'T03', teamName: '城南一班', role: 'team_lead', wecomUserId: null, email: null }, 20);
    });
    expect(await applications.handler('H200')).toEqual({ id: 'H200', name: '孙七', phone: '13900000201', teamId: 'T03', teamName: '城南一班', role: 'team_lead', wecomUserId: null, email: null });
    await transact(({ applications: a }) => a.upsertHandler({ id: 'H300', name: '周八', phone: '13900000300', teamId: 'T02', teamName: '城西班', role: 'handler', wecomUserId: null, email: null }, 30));
    expect((await applications.handler('H300'))?.role).toBe('admin');
  });

  it('rolls back every write of a unit of work that throws', async () => {
    await expect(
      transact(async ({ applications: a }) => {
        await a.setRequestedConnectDate('YX2026-0002', '2027-03-01');
        await a.addStep('YX2026-0002', 'accept', 0);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect((await applications.application('YX2026-0002'))?.requestedConnectDate).toBeNull();
    expect(await applications.steps('YX2026-0002')).toEqual([]);
  });
});
