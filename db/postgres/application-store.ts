// Applications' store (server/applications/application-store.ts) on PostgreSQL: the same questions as
// db/sqlite/application-store.ts. A unit of work that reads an application and then writes it takes the row's lock
// first (`applicationForUpdate`, `applicationsForUpdate`: SELECT … FOR UPDATE), so a step event and a staff re-plan of
// the same application on two instances run one after the other instead of each re-planning from a stale read.
import { and, asc, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { PgExecutor } from './client.ts';
import { alerts, applications, applicationSteps, handlers, riskSignals, stepCompletions, syncEvents, teams } from './schema/index.ts';
import type { ApplicationRow, ApplicationStore } from '../../server/applications/application-store.ts';

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

export function createPostgresApplicationStore(db: PgExecutor): ApplicationStore {
  const byNo = (applicationNo: string) => db.select().from(applications).where(eq(applications.applicationNo, applicationNo));

  return {
    application: async (applicationNo) => (await byNo(applicationNo))[0],
    applicationForUpdate: async (applicationNo) => (await byNo(applicationNo).for('update'))[0],
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
    async updateStepState({ applicationNo, stepCode, ...state }) {
      await db.update(applicationSteps).set(state).where(stepKey(applicationNo, stepCode));
    },
    async updateStepPlan({ applicationNo, stepCode, ...plan }) {
      await db.update(applicationSteps).set(plan).where(stepKey(applicationNo, stepCode));
    },
    async updateApplicationPlan({ applicationNo, ...plan }) {
      await db.update(applications).set(plan).where(eq(applications.applicationNo, applicationNo));
    },
    async setRequestedConnectDate(applicationNo, requestedConnectDate) {
      await db.update(applications).set({ requestedConnectDate }).where(eq(applications.applicationNo, applicationNo));
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
    },
    async insertApplication(row, now) {
      await db.insert(applications).values({ ...row, planFeasible: true, planBasis: 'typical', planCompressed: false, createdAt: now, updatedAt: now });
    },
    async updateApplicationSource(applicationNo, source, sourceDigest, now) {
      await db
        .update(applications)
        .set({ ...source, sourceDigest, updatedAt: now })
        .where(eq(applications.applicationNo, applicationNo));
    },
    async addStep(applicationNo, stepCode, position) {
      await db.insert(applicationSteps).values({ applicationNo, stepCode, position, status: 'pending' });
    },
    async moveStep(applicationNo, stepCode, position) {
      await db.update(applicationSteps).set({ position }).where(stepKey(applicationNo, stepCode));
    },
    async removeStep(applicationNo, stepCode) {
      await db.delete(applicationSteps).where(stepKey(applicationNo, stepCode));
    },
    raisedAlerts: async (applicationNo) =>
      db.select({ stepCode: alerts.stepCode, occurrence: alerts.occurrence, level: alerts.level }).from(alerts).where(eq(alerts.applicationNo, applicationNo)),
    limitRiskRaised: async (applicationNo) =>
      (await db.select({ id: riskSignals.id }).from(riskSignals).where(and(eq(riskSignals.applicationNo, applicationNo), eq(riskSignals.kind, 'limit'))).limit(1)).length > 0,
  };
}
