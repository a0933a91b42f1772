// Applications' store (server/applications/application-store.ts) on SQLite: queries prepared once per database
// (unprepared drizzle queries cost several times a raw statement on hot paths), each method run at once and its
// result handed back as a settled promise.
import { and, asc, desc, eq, gt, sql } from 'drizzle-orm';
import type { Database_, Db } from '../client.ts';
import { alerts, applications, applicationSteps, progressViews, riskSignals, stepCompletions, syncEvents, handlers, teams } from '../schema/index.ts';
import type {
  ApplicationPlan,
  ApplicationRow,
  ApplicationSource,
  ApplicationStore,
  StepPlan,
  StepState,
  SyncedHandler,
  SyncEventRow,
  StepCompletion,
} from '../../server/applications/application-store.ts';
import { storedProgressOf } from '../../server/applications/application-store.ts';

const p = sql.placeholder;

function preparedStore(db: Db) {
  const applicationByNo = db.select().from(applications).where(eq(applications.applicationNo, p('applicationNo'))).prepare();
  const applicationsByAccount = db
    .select()
    .from(applications)
    .where(and(eq(applications.accountNo, p('accountNo')), eq(applications.queryCodeHmac, p('queryCodeHmac'))))
    .orderBy(desc(applications.acceptedAt), desc(applications.applicationNo))
    .prepare();
  const stepsOf = db
    .select()
    .from(applicationSteps)
    .where(eq(applicationSteps.applicationNo, p('applicationNo')))
    .orderBy(asc(applicationSteps.position))
    .prepare();
  const stepByKey = db
    .select()
    .from(applicationSteps)
    .where(and(eq(applicationSteps.applicationNo, p('applicationNo')), eq(applicationSteps.stepCode, p('stepCode'))))
    .prepare();
  // For reads: each step with its handler's contact in one statement (one lookup per handler cost ~18 µs of a
  // ~70 µs read on 1M applications), only the columns a ProgressView shows (materialising every column of every
  // row cost another ~6 µs). No ORDER BY: a ProgressView orders steps by the catalog.
  const stepsForViewOf = db
    .select({
      stepCode: applicationSteps.stepCode,
      status: applicationSteps.status,
      actualStart: applicationSteps.actualStart,
      actualEnd: applicationSteps.actualEnd,
      handlerId: applicationSteps.handlerId,
      plannedStart: applicationSteps.plannedStart,
      plannedEnd: applicationSteps.plannedEnd,
      dueAt: applicationSteps.dueAt,
      handlerName: handlers.name,
      handlerPhone: handlers.phone,
      handlerTeamId: teams.id,
    })
    .from(applicationSteps)
    .leftJoin(handlers, eq(handlers.id, applicationSteps.handlerId))
    .leftJoin(teams, eq(teams.id, handlers.teamId))
    .where(eq(applicationSteps.applicationNo, p('applicationNo')))
    .prepare();
  const progressViewOf = db.select({ view: progressViews.view }).from(progressViews).where(eq(progressViews.applicationNo, p('applicationNo'))).prepare();
  const progressViewsOfAccount = db
    .select({ view: progressViews.view })
    .from(progressViews)
    .where(and(eq(progressViews.accountNo, p('accountNo')), eq(progressViews.queryCodeHmac, p('queryCodeHmac'))))
    .orderBy(desc(progressViews.acceptedAt), desc(progressViews.applicationNo))
    .prepare();
  const writeProgressView = db
    .insert(progressViews)
    .values({ applicationNo: p('applicationNo'), accountNo: p('accountNo'), queryCodeHmac: p('queryCodeHmac'), acceptedAt: p('acceptedAt'), view: p('view') })
    .onConflictDoUpdate({
      target: progressViews.applicationNo,
      set: { accountNo: sql`excluded.account_no`, queryCodeHmac: sql`excluded.query_code_hmac`, acceptedAt: sql`excluded.accepted_at`, view: sql`excluded.view` },
    })
    .prepare();
  const applicationsWithoutView = db
    .select({ applicationNo: applications.applicationNo })
    .from(applications)
    .where(sql`NOT EXISTS (SELECT 1 FROM ${progressViews} WHERE ${progressViews.applicationNo} = ${applications.applicationNo})`)
    .orderBy(asc(applications.applicationNo))
    .limit(p('limit'))
    .prepare();
  const applicationsOfHandler = db
    .selectDistinct({ applicationNo: applicationSteps.applicationNo })
    .from(applicationSteps)
    .where(eq(applicationSteps.handlerId, p('handlerId')))
    .prepare();
  const contactOf = db.select({ name: handlers.name, phone: handlers.phone }).from(handlers).where(eq(handlers.id, p('handlerId'))).prepare();
  const updateStepState = db
    .update(applicationSteps)
    .set({
      status: sql`${p('status')}`,
      actualStart: sql`${p('actualStart')}`,
      actualEnd: sql`${p('actualEnd')}`,
      lastStartedAt: sql`${p('lastStartedAt')}`,
      lastCompletedAt: sql`${p('lastCompletedAt')}`,
      handlerId: sql`${p('handlerId')}`,
      handlerAt: sql`${p('handlerAt')}`,
    })
    .where(and(eq(applicationSteps.applicationNo, p('applicationNo')), eq(applicationSteps.stepCode, p('stepCode'))))
    .prepare();
  const updateStepPlan = db
    .update(applicationSteps)
    .set({
      plannedStart: sql`${p('plannedStart')}`,
      plannedEnd: sql`${p('plannedEnd')}`,
      dueAt: sql`${p('dueAt')}`,
      warnAt: sql`${p('warnAt')}`,
      alertAt: sql`${p('alertAt')}`,
    })
    .where(and(eq(applicationSteps.applicationNo, p('applicationNo')), eq(applicationSteps.stepCode, p('stepCode'))))
    .prepare();
  const updateApplicationPlan = db
    .update(applications)
    .set({
      expectedConnectDate: sql`${p('expectedConnectDate')}`,
      planFeasible: sql`${p('planFeasible')}`,
      earliestFeasibleDate: sql`${p('earliestFeasibleDate')}`,
      planBasis: sql`${p('planBasis')}`,
      planCompressed: sql`${p('planCompressed')}`,
      plannedOn: sql`${p('plannedOn')}`,
      updatedAt: sql`${p('updatedAt')}`,
      limitAlertAt: sql`${p('limitAlertAt')}`,
      riskLimitAt: sql`${p('riskLimitAt')}`,
    })
    .where(eq(applications.applicationNo, p('applicationNo')))
    .prepare();
  const setRequestedDate = db
    .update(applications)
    .set({ requestedConnectDate: sql`${p('requestedConnectDate')}` })
    .where(eq(applications.applicationNo, p('applicationNo')))
    .prepare();
  // The plan refresh's walk: a bounded range of the primary key per statement, however few plans are out of date.
  const planStatesAfter = db
    .select({ applicationNo: applications.applicationNo, status: applications.status, plannedOn: applications.plannedOn, updatedAt: applications.updatedAt })
    .from(applications)
    .where(gt(applications.applicationNo, p('after')))
    .orderBy(asc(applications.applicationNo))
    .limit(p('limit'))
    .prepare();
  const limitRiskOf = db
    .select({ id: riskSignals.id })
    .from(riskSignals)
    .where(and(eq(riskSignals.applicationNo, p('applicationNo')), eq(riskSignals.kind, 'limit')))
    .limit(1)
    .prepare();
  const raisedAlertsOf = db
    .select({ stepCode: alerts.stepCode, occurrence: alerts.occurrence, level: alerts.level })
    .from(alerts)
    .where(eq(alerts.applicationNo, p('applicationNo')))
    .prepare();
  const eventById = db
    .select({ eventId: syncEvents.eventId })
    .from(syncEvents)
    .where(eq(syncEvents.eventId, p('eventId')))
    .prepare();
  const insertEvent = db
    .insert(syncEvents)
    .values({
      eventId: p('eventId'),
      applicationNo: p('applicationNo'),
      stepCode: p('stepCode'),
      type: p('type'),
      at: p('at'),
      handlerId: p('handlerId'),
      state: p('state'),
      receivedAt: p('receivedAt'),
      appliedAt: p('appliedAt'),
    })
    .prepare();
  const parkedEventsOf = db
    .select()
    .from(syncEvents)
    .where(and(eq(syncEvents.applicationNo, p('applicationNo')), eq(syncEvents.state, 'parked')))
    .orderBy(asc(syncEvents.at), asc(syncEvents.eventId))
    .prepare();
  const settleParkedEvent = db
    .update(syncEvents)
    .set({ state: sql`${p('state')}`, appliedAt: sql`${p('appliedAt')}`, rejection: sql`${p('rejection')}` })
    .where(eq(syncEvents.eventId, p('eventId')))
    .prepare();
  const recordCompletion = db
    .insert(stepCompletions)
    .values({
      applicationNo: p('applicationNo'),
      processCode: p('processCode'),
      stepCode: p('stepCode'),
      completedAt: p('completedAt'),
      workdays: p('workdays'),
    })
    .onConflictDoUpdate({
      target: [stepCompletions.applicationNo, stepCompletions.stepCode],
      set: { processCode: sql`excluded.process_code`, completedAt: sql`excluded.completed_at`, workdays: sql`excluded.workdays` },
    })
    .prepare();
  const recentCompletions = db
    .select({ workdays: stepCompletions.workdays })
    .from(stepCompletions)
    .where(and(eq(stepCompletions.processCode, p('processCode')), eq(stepCompletions.stepCode, p('stepCode'))))
    .orderBy(desc(stepCompletions.completedAt))
    .limit(p('limit'))
    .prepare();
  const handlerById = db
    .select({
      id: handlers.id,
      name: handlers.name,
      phone: handlers.phone,
      teamId: handlers.teamId,
      teamName: teams.name,
      role: handlers.role,
      wecomUserId: handlers.wecomUserId,
      email: handlers.email,
    })
    .from(handlers)
    .innerJoin(teams, eq(teams.id, handlers.teamId))
    .where(eq(handlers.id, p('handlerId')))
    .prepare();

  return {
    application: (applicationNo: string) => applicationByNo.get({ applicationNo }),
    applicationsOfAccount: (accountNo: string, queryCodeHmac: string) => applicationsByAccount.all({ accountNo, queryCodeHmac }),
    steps: (applicationNo: string) => stepsOf.all({ applicationNo }),
    step: (applicationNo: string, stepCode: string) => stepByKey.get({ applicationNo, stepCode }),
    stepsForView: (applicationNo: string) => stepsForViewOf.all({ applicationNo }),
    progressView: (applicationNo: string) => progressViewOf.get({ applicationNo })?.view,
    progressViewsOfAccount: (accountNo: string, queryCodeHmac: string) => progressViewsOfAccount.all({ accountNo, queryCodeHmac }).map((r) => r.view),
    applicationsWithoutProgressView: (limit: number) => applicationsWithoutView.all({ limit }).map((r) => r.applicationNo),
    applicationsOfHandler: (handlerId: string) => applicationsOfHandler.all({ handlerId }).map((r) => r.applicationNo),
    contact: (handlerId: string) => contactOf.get({ handlerId }),
    /** The application's stored progress view made afresh from its rows (nothing when it does not exist). */
    writeProgressView(applicationNo: string): void {
      const application = applicationByNo.get({ applicationNo });
      if (!application) return;
      const view = storedProgressOf(application, stepsForViewOf.all({ applicationNo }));
      writeProgressView.run({ applicationNo, accountNo: application.accountNo, queryCodeHmac: application.queryCodeHmac, acceptedAt: application.acceptedAt, view });
    },
    updateStepState: (row: StepState) => updateStepState.run(row),
    updateStepPlan: (row: StepPlan) => updateStepPlan.run(row),
    updateApplicationPlan: (row: ApplicationPlan) => updateApplicationPlan.run({ ...row, planFeasible: row.planFeasible ? 1 : 0, planCompressed: row.planCompressed ? 1 : 0 }),
    /** A staff re-plan's new requested connection date (kept until the marketing system syncs another). */
    setRequestedConnectDate: (applicationNo: string, requestedConnectDate: string | null) => setRequestedDate.run({ applicationNo, requestedConnectDate }),
    /** Up to `limit` applications after `after` by number, with what says whether their plan is current. */
    planStatesAfter: (after: string, limit: number) => planStatesAfter.all({ after, limit }),
    eventExists: (eventId: string) => eventById.get({ eventId }) !== undefined,
    insertEvent: (row: Omit<SyncEventRow, 'rejection'>) => insertEvent.run(row),
    parkedEvents: (applicationNo: string) => parkedEventsOf.all({ applicationNo }),
    settleParkedEvent: (eventId: string, state: 'applied' | 'rejected', appliedAt: number | null, rejection: string | null) =>
      settleParkedEvent.run({ eventId, state, appliedAt, rejection }),
    recordCompletion: (row: StepCompletion) => recordCompletion.run(row),
    /** newest first */
    recentCompletionWorkdays: (processCode: string, stepCode: string, limit: number) =>
      recentCompletions.all({ processCode, stepCode, limit }).map((r) => r.workdays),
    handler: (handlerId: string) => handlerById.get({ handlerId }),
    /**
     * A handler and their team as the marketing system sends them: a PUT replaces the handler (a contact left out is
     * no longer there), and admin, granted in Jiedian (`staff:admin`), not by the marketing system, survives a re-sync.
     */
    upsertHandler(handler: SyncedHandler, now: number): void {
      const { teamName, role, id, ...fields } = handler;
      db.insert(teams)
        .values({ id: handler.teamId, name: teamName, updatedAt: now })
        .onConflictDoUpdate({ target: teams.id, set: { name: teamName, updatedAt: now } })
        .run();
      db.insert(handlers)
        .values({ id, ...fields, role, updatedAt: now })
        .onConflictDoUpdate({
          target: handlers.id,
          set: { ...fields, role: sql`CASE WHEN ${handlers.role} = 'admin' THEN 'admin' ELSE ${role} END`, updatedAt: now },
        })
        .run();
    },
    /** A new application, with the plan it starts from (typical durations, made today). */
    insertApplication(row: ApplicationSource & Pick<ApplicationRow, 'applicationNo' | 'sourceDigest' | 'plannedOn'>, now: number): void {
      db.insert(applications)
        .values({ ...row, planFeasible: true, planBasis: 'typical', planCompressed: false, createdAt: now, updatedAt: now })
        .run();
    },
    /** What the marketing system now says of an application (its plan is re-made after). */
    updateApplicationSource(applicationNo: string, source: ApplicationSource, sourceDigest: string, now: number): void {
      db.update(applications)
        .set({ ...source, sourceDigest, updatedAt: now })
        .where(eq(applications.applicationNo, applicationNo))
        .run();
    },
    /** A step of the application's process, not started, at its place in the process. */
    addStep: (applicationNo: string, stepCode: string, position: number) =>
      db.insert(applicationSteps).values({ applicationNo, stepCode, position, status: 'pending' }).run(),
    moveStep: (applicationNo: string, stepCode: string, position: number) =>
      db
        .update(applicationSteps)
        .set({ position })
        .where(and(eq(applicationSteps.applicationNo, applicationNo), eq(applicationSteps.stepCode, stepCode)))
        .run(),
    /** A step the application's process no longer has. */
    removeStep: (applicationNo: string, stepCode: string) =>
      db
        .delete(applicationSteps)
        .where(and(eq(applicationSteps.applicationNo, applicationNo), eq(applicationSteps.stepCode, stepCode)))
        .run(),
    /** The time-limit alerts already raised for the application (step '' = application-level), whichever occurrence. */
    raisedAlerts: (applicationNo: string) => raisedAlertsOf.all({ applicationNo }),
    /** Whether the application's nearly-used-up limit was already a risk signal (it is raised once). */
    limitRiskRaised: (applicationNo: string) => limitRiskOf.get({ applicationNo }) !== undefined,
  };
}

/**
 * The port, and `writeViews`, which the unit of work calls before it commits: the write methods note the applications
 * whose progress view they change (a handler's new contact: every application with a step of theirs), and it writes
 * those views afresh from the rows, once each however many writes changed them. A write outside a transaction has its
 * views written at once.
 */
export function createSqliteApplicationStore({ db, sqlite }: Pick<Database_, 'db' | 'sqlite'>): { store: ApplicationStore; writeViews(): void; forgetViews(): void } {
  const q = preparedStore(db);
  const changed = new Set<string>();
  const handlersChanged = new Set<string>();
  function writeViews(): void {
    for (const handlerId of handlersChanged) for (const no of q.applicationsOfHandler(handlerId)) changed.add(no);
    handlersChanged.clear();
    for (const no of changed) q.writeProgressView(no);
    changed.clear();
  }
  const viewChanged = (applicationNo: string) => {
    changed.add(applicationNo);
    if (!sqlite.inTransaction) writeViews();
  };
  const store: ApplicationStore = {
    application: async (applicationNo) => q.application(applicationNo),
    // the unit of work's BEGIN IMMEDIATE holds the database's write lock: nothing else writes until it ends
    locksRows: false,
    applicationForUpdate: async (applicationNo) => q.application(applicationNo),
    async applicationsForUpdate(applicationNos) {
      const found = new Map<string, ApplicationRow>();
      for (const no of [...new Set(applicationNos)].sort()) {
        const row = q.application(no);
        if (row) found.set(no, row);
      }
      return found;
    },
    applicationsOfAccount: async (accountNo, queryCodeHmac) => q.applicationsOfAccount(accountNo, queryCodeHmac),
    steps: async (applicationNo) => q.steps(applicationNo),
    step: async (applicationNo, stepCode) => q.step(applicationNo, stepCode),
    stepsForView: async (applicationNo) => q.stepsForView(applicationNo),
    progressView: async (applicationNo) => q.progressView(applicationNo),
    progressViewsOfAccount: async (accountNo, queryCodeHmac) => q.progressViewsOfAccount(accountNo, queryCodeHmac),
    applicationsWithoutProgressView: async (limit) => q.applicationsWithoutProgressView(limit),
    async rewriteProgressViews(applicationNos) {
      for (const no of applicationNos) viewChanged(no);
    },
    async updateStepState(row) {
      q.updateStepState(row);
      viewChanged(row.applicationNo);
    },
    async updateStepPlan(row) {
      q.updateStepPlan(row);
      viewChanged(row.applicationNo);
    },
    async updateApplicationPlan(row) {
      q.updateApplicationPlan(row);
      viewChanged(row.applicationNo);
    },
    async setRequestedConnectDate(applicationNo, date) {
      q.setRequestedConnectDate(applicationNo, date);
      viewChanged(applicationNo);
    },
    planStatesAfter: async (after, limit) => q.planStatesAfter(after, limit),
    eventExists: async (eventId) => q.eventExists(eventId),
    insertEvent: async (row) => void q.insertEvent(row),
    parkedEvents: async (applicationNo) => q.parkedEvents(applicationNo),
    settleParkedEvent: async (eventId, state, appliedAt, rejection) => void q.settleParkedEvent(eventId, state, appliedAt, rejection),
    recordCompletion: async (row) => void q.recordCompletion(row),
    recentCompletionWorkdays: async (processCode, stepCode, limit) => q.recentCompletionWorkdays(processCode, stepCode, limit),
    handler: async (handlerId) => q.handler(handlerId),
    async upsertHandler(handler, now) {
      const before = q.contact(handler.id);
      q.upsertHandler(handler, now);
      if (before?.name === handler.name && before.phone === handler.phone) return;
      handlersChanged.add(handler.id);
      if (!sqlite.inTransaction) writeViews();
    },
    async insertApplication(row, now) {
      q.insertApplication(row, now);
      viewChanged(row.applicationNo);
    },
    async updateApplicationSource(applicationNo, source, sourceDigest, now) {
      q.updateApplicationSource(applicationNo, source, sourceDigest, now);
      viewChanged(applicationNo);
    },
    async addStep(applicationNo, stepCode, position) {
      q.addStep(applicationNo, stepCode, position);
      viewChanged(applicationNo);
    },
    // a view orders steps by the catalog, not by position
    moveStep: async (applicationNo, stepCode, position) => void q.moveStep(applicationNo, stepCode, position),
    async removeStep(applicationNo, stepCode) {
      q.removeStep(applicationNo, stepCode);
      viewChanged(applicationNo);
    },
    raisedAlerts: async (applicationNo) => q.raisedAlerts(applicationNo),
    limitRiskRaised: async (applicationNo) => q.limitRiskRaised(applicationNo),
  };
  const forgetViews = () => {
    changed.clear();
    handlersChanged.clear();
  };
  return { store, writeViews, forgetViews };
}
