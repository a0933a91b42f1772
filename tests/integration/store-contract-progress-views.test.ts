// The stored progress views (StoredProgress, one row per application) on every store implementation: after each kind
// of change the applications module makes (a new application, step events, a staff re-plan, a handler's new phone, a
// suspension, a cancellation, the daily plan refresh) the view read from the stored row equals the view made afresh
// from the application's rows, as a read made it before views were stored; a rolled-back unit of work leaves the
// stored view as it was; a database whose applications have no stored view gets them at start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChangeFlow } from '../../server/applications/change-flow.ts';
import { createIngestService, type IngestService } from '../../server/applications/ingest.ts';
import { createPlanRefresh, type PlanRefresh } from '../../server/applications/plan-refresh.ts';
import { currentPlan } from '../../server/applications/planning.ts';
import { createProgressViews, storeMissingProgressViews, type ProgressViews } from '../../server/applications/progress-views.ts';
import { createReplanning, type Replanning } from '../../server/applications/replanning.ts';
import { getProcess } from '../../server/domain/catalog.ts';
import { isPlanCurrent } from '../../server/domain/plan-refresh.ts';
import { buildProgressView, type Audience, type HandlerContact, type ProgressView } from '../../server/domain/progress-view.ts';
import { DEFAULT_WORKING_HOURS } from '../../server/domain/working-time.ts';
import { ManualClock } from '../../server/shared/clock.ts';
import type { ServiceContext } from '../../server/shared/context.ts';
import { createLearntDurations } from '../../server/applications/learnt-durations.ts';
import { loadReferenceData } from '../../server/shared/reference-data.ts';
import type { Stores, Transact } from '../../server/stores.ts';
import { applicationBody, DEFAULT_NOW, handlerBody, testConfig } from '../support/app.ts';
import { storeImplementations } from '../support/store-contract.ts';

const config = testConfig();
const reference = loadReferenceData(config);
const DAY = 86_400_000;
const A = 'YX2026-0201';
const B = 'YX2026-0202';
const ACCOUNT = '5300999001';

/** The view as a read made it before views were stored: from the application's row and its steps' rows. */
async function freshView(ctx: ServiceContext, stores: Stores, applicationNo: string, audience: Audience): Promise<ProgressView | undefined> {
  const store = stores.applications;
  let application = await store.application(applicationNo);
  if (!application) return undefined;
  let steps = await store.stepsForView(applicationNo);
  const now = ctx.clock.now();
  const frame = { calendar: ctx.calendar, timeZone: ctx.timeZone, workingHours: ctx.workingHours ?? DEFAULT_WORKING_HOURS };
  if (application.status === 'active' && !isPlanCurrent({ plannedOn: application.plannedOn, plannedAt: application.updatedAt }, now, frame)) {
    const plan = await currentPlan(ctx, store, application, steps, now);
    const byCode = new Map(plan.steps.map((s) => [s.stepCode, s]));
    application = { ...application, ...plan.application };
    steps = steps.map((s) => ({ ...s, ...byCode.get(s.stepCode), stepCode: s.stepCode }));
  }
  const contacts = new Map<string, HandlerContact>();
  for (const s of steps) if (s.handlerId !== null && s.handlerTeamId !== null) contacts.set(s.handlerId, { name: s.handlerName!, phone: s.handlerPhone! });
  return buildProgressView({
    application,
    process: getProcess(ctx.catalog, application.processCode),
    steps,
    handlerOf: (id) => contacts.get(id),
    now,
    timeZone: ctx.timeZone,
    audience,
  });
}

describe.each(storeImplementations)('stored progress views on $name', (implementation) => {
  let stores: Stores;
  let transact: Transact;
  let close: () => Promise<void>;
  let clock: ManualClock;
  let ctx: ServiceContext;
  let ingest: IngestService;
  let replanning: Replanning;
  let planRefresh: PlanRefresh;
  let views: ProgressViews;

  beforeAll(async () => {
    // a step of YX2026-0001 that its process does not have would fail its re-plan and its view
    const opened = await implementation.open("DELETE FROM application_steps WHERE step_code = 'supply_plan';");
    ({ stores, transact, close } = opened);
    clock = new ManualClock(DEFAULT_NOW);
    ctx = {
      catalog: reference.catalog,
      calendar: reference.calendar,
      learnt: createLearntDurations(),
      clock,
      timeZone: config.timeZone,
      secret: config.secret,
    };
    const flow = createChangeFlow(ctx, transact);
    ingest = createIngestService(ctx, stores, flow);
    replanning = createReplanning({ ctx, stores, flow, checkRequestedDate: ingest.checkRequestedDate });
    planRefresh = createPlanRefresh({ ctx, replanning });
    views = createProgressViews(ctx, stores.applications);
  });
  afterAll(async () => {
    await close();
  });

  /** The stored views of A and B (customer and staff) and of their account equal the fresh ones. */
  async function expectStoredEqualsFresh(): Promise<ProgressView> {
    for (const no of [A, B]) {
      expect(await views.customerView(no)).toEqual(await freshView(ctx, stores, no, 'customer'));
      expect(await views.staffView(no)).toEqual(await freshView(ctx, stores, no, 'staff'));
    }
    const hmac = (await stores.applications.application(A))!.queryCodeHmac;
    const ofAccount = await views.customerViewsOfAccount(ACCOUNT, hmac);
    expect(ofAccount.map((v) => v.applicationNo)).toEqual([B, A]);
    expect(ofAccount).toEqual([await freshView(ctx, stores, B, 'customer'), await freshView(ctx, stores, A, 'customer')]);
    return (await views.customerView(A))!;
  }

  const event = (eventId: string, applicationNo: string, stepCode: string, type: 'step_started' | 'step_completed', at: number, handlerId: string | null = null) => ({
    eventId,
    applicationNo,
    stepCode,
    type,
    at: new Date(at).toISOString(),
    ...(handlerId !== null && { handlerId }),
  });

  it('applications without a stored view (a database from before they were stored) get them at start', async () => {
    // STORE_CONTRACT_ROWS' applications were written as an older Jiedian wrote them: rows only
    expect(await stores.applications.progressView('YX2026-0001')).toBeUndefined();
    expect(await stores.applications.applicationsWithoutProgressView(10)).toEqual(['YX2026-0001', 'YX2026-0002', 'YX2026-0003']);
    expect(await storeMissingProgressViews(stores, transact, 2)).toBe(3);
    expect(await stores.applications.applicationsWithoutProgressView(10)).toEqual([]);
    expect(await storeMissingProgressViews(stores, transact)).toBe(0);
    for (const no of ['YX2026-0001', 'YX2026-0002', 'YX2026-0003']) {
      expect(await views.staffView(no)).toEqual(await freshView(ctx, stores, no, 'staff'));
    }
    expect((await views.staffView('YX2026-0001'))!.currentStep).toMatchObject({ code: 'survey', handler: { name: '李明', phone: '13912345678' } });
  });

  it('a new application: its stored view is the fresh one', async () => {
    await ingest.upsertHandler('H201', handlerBody({ name: '陈志强', phone: '13900000201', teamId: 'T07', teamName: '城北班' }) as never);
    await ingest.upsertApplication(A, applicationBody({ accountNo: ACCOUNT, processCode: 'lv_business', requestedConnectDate: null, acceptedAt: '2026-11-18T09:00:00+08:00' }) as never);
    await ingest.upsertApplication(B, applicationBody({ accountNo: ACCOUNT, processCode: 'lv_resident', requestedConnectDate: null, acceptedAt: '2026-11-19T09:00:00+08:00' }) as never);
    const view = await expectStoredEqualsFresh();
    expect(view.status).toBe('active');
    expect(view.steps.every((s) => s.status === 'pending' && s.plannedEnd !== null)).toBe(true);
  });

  it('step events: the started and completed steps, their handler and the new plan are in the stored view', async () => {
    const start = DEFAULT_NOW - 3 * DAY;
    const result = await ingest.ingestEvents([
      event('V1', A, 'accept', 'step_started', start, 'H201'),
      event('V2', A, 'accept', 'step_completed', start + DAY),
      event('V3', A, 'survey', 'step_started', start + DAY + 3_600_000, 'H201'),
      event('V4', B, 'accept', 'step_started', start, 'H201'),
    ]);
    expect(result.accepted).toBe(4);
    const view = await expectStoredEqualsFresh();
    expect(view.steps.find((s) => s.code === 'accept')).toMatchObject({ status: 'done' });
    expect(view.currentStep).toMatchObject({ code: 'survey', status: 'in_progress', handler: { phone: '13900000201' } });
  });

  it("a staff re-plan: the requested date and the plan made for it are in the stored view", async () => {
    const before = (await views.customerView(A))!;
    await replanning.replanWithRequestedDate(A, '2027-02-26');
    const view = await expectStoredEqualsFresh();
    expect(view.requestedConnectDate).toBe('2027-02-26');
    expect(view.plan.basis).toBe('requested_date');
    expect(view.steps.map((s) => s.plannedEnd)).not.toEqual(before.steps.map((s) => s.plannedEnd));
  });

  it("a handler's new phone reaches the stored views of every application with a step of theirs", async () => {
    await ingest.upsertHandler('H201', handlerBody({ name: '陈志强', phone: '13900000299', teamId: 'T07', teamName: '城北班' }) as never);
    const view = await expectStoredEqualsFresh();
    expect(view.currentStep?.handler?.phone).toBe('13900000299');
    expect((await views.customerView(B))!.currentStep?.handler?.phone).toBe('13900000299');
  });

  it('a unit of work that fails leaves the stored view as it was', async () => {
    const before = await views.staffView(A);
    await expect(
      transact(async ({ applications }) => {
        await applications.setRequestedConnectDate(A, '2027-06-30');
        await applications.updateStepState({ applicationNo: A, stepCode: 'survey', status: 'done', actualStart: 1, actualEnd: 2, lastStartedAt: 1, lastCompletedAt: 2, handlerId: null, handlerAt: null });
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await views.staffView(A)).toEqual(before);
    await expectStoredEqualsFresh();
  });

  it('the daily plan refresh: a read on a later day shows the plan of that day, and after the refresh the stored one is it', async () => {
    clock.set(DEFAULT_NOW + 2 * DAY);
    const shownBefore = (await views.customerView(A))!;
    await expectStoredEqualsFresh();
    const run = await planRefresh.run();
    expect(run).toMatchObject({ finished: true });
    expect(run.refreshed).toBeGreaterThan(0);
    const view = await expectStoredEqualsFresh();
    expect(view).toEqual(shownBefore);
    expect((await stores.applications.progressView(A))!.application.plannedOn).toBe('2026-11-26');
  });

  it('a suspension and a cancellation from the marketing system are in the stored views', async () => {
    await ingest.upsertApplication(B, applicationBody({ accountNo: ACCOUNT, processCode: 'lv_resident', requestedConnectDate: null, acceptedAt: '2026-11-19T09:00:00+08:00', status: 'suspended' }) as never);
    await expectStoredEqualsFresh();
    expect((await views.customerView(B))!.status).toBe('suspended');
    await ingest.upsertApplication(A, applicationBody({ accountNo: ACCOUNT, processCode: 'lv_business', requestedConnectDate: '2027-02-26', acceptedAt: '2026-11-18T09:00:00+08:00', status: 'cancelled' }) as never);
    const view = await expectStoredEqualsFresh();
    expect(view.status).toBe('cancelled');
    clock.set(DEFAULT_NOW + 3 * DAY);
    await expectStoredEqualsFresh();
  });

});
