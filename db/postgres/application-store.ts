// Applications' store (server/applications/application-store.ts) on PostgreSQL: the same questions as
// db/sqlite/application-store.ts. A unit of work that reads an application and then writes it takes the row's lock
// first (`applicationForUpdate`, `applicationsForUpdate`: SELECT … FOR UPDATE), so a step event and a staff re-plan of
// the same application on two instances run one after the other instead of each re-planning from a stale read.
import { and, asc, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { PgExecutor } from './client.ts';
import { alerts, applications, applicationSteps, handlers, progressViews, riskSignals, stepCompletions, syncEvents, teams } from './schema/index.ts';
import { storedProgressOf, type ApplicationRow, type ApplicationStore, type ViewStep } from '../../server/applications/application-store.ts';

const handlerColumns = {
  id: handlers.id,
  name: handlers.name,
  phone: handlers.phone,
  teamId: handlers.teamId,
  teamName: teams.name,
  role: handlers.role,
  wecomUserId: handlers.wecomUserId,
  email: handlers.email,
};

const viewStepColumns = {
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
};

const stepKey = (applicationNo: string, stepCode: string) => and(eq(applicationSteps.applicationNo, applicationNo), eq(applicationSteps.stepCode, stepCode));

/** how many progress views one statement writes (a handler's new phone may reach thousands) */
const VIEWS_PER_STATEMENT = 500;

/**
 * The port on the pool or on one unit of work's transaction, and `writeViews`, which that unit of work calls before it
 * commits: the write methods note the applications whose progress view they change (a handler's new contact: every
 * application with a step of theirs), and it writes those views afresh from the rows, once each, a few hundred per
 * statement, under the applications' row locks (so a unit of work changing one of them meanwhile is not written
 * over with what it read before). On the pool (`inUnitOfWork` false) a write has its views written at once.
 */
export function createPostgresApplicationStore(db: PgExecutor, inUnitOfWork = false): { store: ApplicationStore; writeViews(): Promise<void> } {
  const byNo = (applicationNo: string) => db.select().from(applications).where(eq(applications.applicationNo, applicationNo));
  const changed = new Set<string>();
  const handlersChanged = new Set<string>();

  async function writeViews(): Promise<void> {
    if (handlersChanged.size > 0) {
      const rows = await db
        .selectDistinct({ applicationNo: applicationSteps.applicationNo })
        .from(applicationSteps)
        .where(inArray(applicationSteps.handlerId, [...handlersChanged]));
      for (const row of rows) changed.add(row.applicationNo);
      handlersChanged.clear();
    }
    const all = [...changed].sort();
    changed.clear();
    for (let i = 0; i < all.length; i += VIEWS_PER_STATEMENT) {
      const nos = all.slice(i, i + VIEWS_PER_STATEMENT);
      const rows = await db.select().from(applications).where(inArray(applications.applicationNo, nos)).orderBy(asc(applications.applicationNo)).for('update');
      if (rows.length === 0) continue;
      const steps = new Map<string, ViewStep[]>();
      for (const { applicationNo, ...step } of await db
        .select({ applicationNo: applicationSteps.applicationNo, ...viewStepColumns })
        .from(applicationSteps)
        .leftJoin(handlers, eq(handlers.id, applicationSteps.handlerId))
        .leftJoin(teams, eq(teams.id, handlers.teamId))
        .where(inArray(applicationSteps.applicationNo, nos))) {
        const list = steps.get(applicationNo);
        if (list) list.push(step);
        else steps.set(applicationNo, [step]);
      }
      await db
        .insert(progressViews)
        .values(
          rows.map((a) => ({
            applicationNo: a.applicationNo,
            accountNo: a.accountNo,
            queryCodeHmac: a.queryCodeHmac,
            acceptedAt: a.acceptedAt,
            view: storedProgressOf(a, steps.get(a.applicationNo) ?? []),
          })),
        )
        .onConflictDoUpdate({
          target: progressViews.applicationNo,
          set: { accountNo: sql`excluded.account_no`, queryCodeHmac: sql`excluded.query_code_hmac`, acceptedAt: sql`excluded.accepted_at`, view: sql`excluded.view` },
        });
    }
  }
  const viewChanged = async (applicationNo: string) => {
    changed.add(applicationNo);
    if (!inUnitOfWork) await writeViews();
  };

  const store: ApplicationStore = {
    application: async (applicationNo) => (await byNo(applicationNo))[0],
    applicationForUpdate: async (applicationNo) => (await byNo(applicationNo).for('update'))[0],
    locksRows: true,
    async applicationsForUpdate(applicationNos) {
      const found = new Map<string, ApplicationRow>();
      const distinct = [...new Set(applicationNos)];
      if (distinct.length === 0) return found;
      const rows = await db.select().from(applications).where(inArray(applications.applicationNo, distinct)).orderBy(asc(applications.applicationNo)).for('update');
      for (const row of rows) found.set(row.applicationNo, row);
      return found;
    },
    applicationsOfAccount: async (accountNo, queryCodeHmac) =>
      db
        .select()
        .from(applications)
        .where(and(eq(applications.accountNo, accountNo), eq(applications.queryCodeHmac, queryCodeHmac)))
        .orderBy(desc(applications.acceptedAt), desc(applications.applicationNo)),
    steps: async (applicationNo) => db.select().from(applicationSteps).where(eq(applicationSteps.applicationNo, applicationNo)).orderBy(asc(applicationSteps.position)),
    step: async (applicationNo, stepCode) => (await db.select().from(applicationSteps).where(stepKey(applicationNo, stepCode)))[0],
    stepsForView: async (applicationNo) =>
      db
        .select(viewStepColumns)
        .from(applicationSteps)
        .leftJoin(handlers, eq(handlers.id, applicationSteps.handlerId))
        .leftJoin(teams, eq(teams.id, handlers.teamId))
        .where(eq(applicationSteps.applicationNo, applicationNo)),
    progressView: async (applicationNo) =>
      (await db.select({ view: progressViews.view }).from(progressViews).where(eq(progressViews.applicationNo, applicationNo)))[0]?.view,
    progressViewsOfAccount: async (accountNo, queryCodeHmac) =>
      (
        await db
          .select({ view: progressViews.view })
          .from(progressViews)
          .where(and(eq(progressViews.accountNo, accountNo), eq(progressViews.queryCodeHmac, queryCodeHmac)))
          .orderBy(desc(progressViews.acceptedAt), desc(progressViews.applicationNo))
      ).map((r) => r.view),
    applicationsWithoutProgressView: async (limit) =>
      (
        await db
          .select({ applicationNo: applications.applicationNo })
          .from(applications)
          .where(sql`NOT EXISTS (SELECT 1 FROM ${progressViews} WHERE ${progressViews.applicationNo} = ${applications.applicationNo})`)
          .orderBy(asc(applications.applicationNo))
          .limit(limit)
      ).map((r) => r.applicationNo),
    async rewriteProgressViews(applicationNos) {
      for (const no of applicationNos) changed.add(no);
      if (!inUnitOfWork) await writeViews();
    },
    async updateStepState({ applicationNo, stepCode, ...state }) {
      await db.update(applicationSteps).set(state).where(stepKey(applicationNo, stepCode));
      await viewChanged(applicationNo);
    },
    async updateStepPlan({ applicationNo, stepCode, ...plan }) {
      await db.update(applicationSteps).set(plan).where(stepKey(applicationNo, stepCode));
      await viewChanged(applicationNo);
    },
    async updateApplicationPlan({ applicationNo, ...plan }) {
      await db.update(applications).set(plan).where(eq(applications.applicationNo, applicationNo));
      await viewChanged(applicationNo);
    },
    async setRequestedConnectDate(applicationNo, requestedConnectDate) {
      await db.update(applications).set({ requestedConnectDate }).where(eq(applications.applicationNo, applicationNo));
      await viewChanged(applicationNo);
    },
    planStatesAfter: async (after, limit) =>
      db
        .select({ applicationNo: applications.applicationNo, status: applications.status, plannedOn: applications.plannedOn, updatedAt: applications.updatedAt })
        .from(applications)
        .where(gt(applications.applicationNo, after))
        .orderBy(asc(applications.applicationNo))
        .limit(limit),
    eventExists: async (eventId) => (await db.select({ eventId: syncEvents.eventId }).from(syncEvents).where(eq(syncEvents.eventId, eventId))).length > 0,
    async insertEvent(row) {
      await db.insert(syncEvents).values(row);
    },
    parkedEvents: async (applicationNo) =>
      db
        .select()
        .from(syncEvents)
        .where(and(eq(syncEvents.applicationNo, applicationNo), eq(syncEvents.state, 'parked')))
        .orderBy(asc(syncEvents.at), asc(syncEvents.eventId)),
    async settleParkedEvent(eventId, state, appliedAt, rejection) {
      await db.update(syncEvents).set({ state, appliedAt, rejection }).where(eq(syncEvents.eventId, eventId));
    },
    async recordCompletion(row) {
      await db
        .insert(stepCompletions)
        .values(row)
        .onConflictDoUpdate({
          target: [stepCompletions.applicationNo, stepCompletions.stepCode],
          set: { processCode: sql`excluded.process_code`, completedAt: sql`excluded.completed_at`, workdays: sql`excluded.workdays` },
        });
    },
    recentCompletionWorkdays: async (processCode, stepCode, limit) =>
      (
        await db
          .select({ workdays: stepCompletions.workdays })
          .from(stepCompletions)
          .where(and(eq(stepCompletions.processCode, processCode), eq(stepCompletions.stepCode, stepCode)))
          .orderBy(desc(stepCompletions.completedAt))
          .limit(limit)
      ).map((r) => r.workdays),
    handler: async (handlerId) => (await db.select(handlerColumns).from(handlers).innerJoin(teams, eq(teams.id, handlers.teamId)).where(eq(handlers.id, handlerId)))[0],
    async upsertHandler(handler, now) {
      const { teamName, role, id, ...fields } = handler;
      const [before] = await db.select({ name: handlers.name, phone: handlers.phone }).from(handlers).where(eq(handlers.id, id));
      await db
        .insert(teams)
        .values({ id: handler.teamId, name: teamName, updatedAt: now })
        .onConflictDoUpdate({ target: teams.id, set: { name: teamName, updatedAt: now } });
      await db
        .insert(handlers)
        .values({ id, ...fields, role, updatedAt: now })
        .onConflictDoUpdate({
          target: handlers.id,
          set: { ...fields, role: sql`CASE WHEN ${handlers.role} = 'admin' THEN 'admin' ELSE ${role}::text END`, updatedAt: now },
        });
      if (before?.name === handler.name && before.phone === handler.phone) return;
      handlersChanged.add(id);
      if (!inUnitOfWork) await writeViews();
    },
    async insertApplication(row, now) {
      await db.insert(applications).values({ ...row, planFeasible: true, planBasis: 'typical', planCompressed: false, createdAt: now, updatedAt: now });
      await viewChanged(row.applicationNo);
    },
    async updateApplicationSource(applicationNo, source, sourceDigest, now) {
      await db
        .update(applications)
        .set({ ...source, sourceDigest, updatedAt: now })
        .where(eq(applications.applicationNo, applicationNo));
      await viewChanged(applicationNo);
    },
    async addStep(applicationNo, stepCode, position) {
      await db.insert(applicationSteps).values({ applicationNo, stepCode, position, status: 'pending' });
      await viewChanged(applicationNo);
    },
    // a view orders steps by the catalog, not by position
    async moveStep(applicationNo, stepCode, position) {
      await db.update(applicationSteps).set({ position }).where(stepKey(applicationNo, stepCode));
    },
    async removeStep(applicationNo, stepCode) {
      await db.delete(applicationSteps).where(stepKey(applicationNo, stepCode));
      await viewChanged(applicationNo);
    },
    raisedAlerts: async (applicationNo) =>
      db.select({ stepCode: alerts.stepCode, occurrence: alerts.occurrence, level: alerts.level }).from(alerts).where(eq(alerts.applicationNo, applicationNo)),
    limitRiskRaised: async (applicationNo) =>
      (await db.select({ id: riskSignals.id }).from(riskSignals).where(and(eq(riskSignals.applicationNo, applicationNo), eq(riskSignals.kind, 'limit'))).limit(1)).length > 0,
  };
  return { store, writeViews };
}
