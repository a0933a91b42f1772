// Time limits' store (server/time-limits/alert-store.ts) on PostgreSQL. The same questions as db/sqlite/alert-store.ts;
// the claims (advanceStep, clearApplicationLimit, claimNotice, insert) are conditional writes, so when two
// instances race for one, PostgreSQL's row lock lets exactly one of them change the row.
import { and, asc, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { PgExecutor } from './client.ts';
import { alerts, applications, applicationSteps, handlers, teams, weeklyDigests } from './schema/index.ts';
import type { StaffScope } from '../../server/staff/staff-accounts.ts';
import type { AlertStore } from '../../server/time-limits/alert-store.ts';

export function createPostgresAlertStore(db: PgExecutor): AlertStore {
  function scope(who: StaffScope): SQL | undefined {
    if (who.role === 'admin') return undefined;
    if (who.role === 'team_lead') return eq(alerts.teamId, who.teamId);
    return eq(alerts.handlerId, who.handlerId);
  }
  // An overdue alert stays until explained; a warning also leaves once its occurrence is no longer under way.
  const open = sql`(${alerts.level} = 'overdue' OR EXISTS (SELECT 1 FROM ${applicationSteps} s WHERE s.application_no = ${alerts.applicationNo}
    AND s.step_code = ${alerts.stepCode} AND s.status = 'in_progress' AND s.actual_start = ${alerts.occurrence}))`;
  const changedOne = (rows: unknown[]) => rows.length === 1;

  return {
    insert: async (row) => changedOne(await db.insert(alerts).values(row).onConflictDoNothing().returning({ id: alerts.id })),
    byId: async (id) => (await db.select().from(alerts).where(eq(alerts.id, id)))[0],
    explain: async (id, explanation) => {
      await db.update(alerts).set({ explanation: explanation.text, explainedAt: explanation.at, explainedBy: explanation.by }).where(eq(alerts.id, id));
    },
    queue: async (who) =>
      db
        .select()
        .from(alerts)
        .where(and(scope(who), eq(alerts.live, true), isNull(alerts.explainedAt), open))
        .orderBy(sql`${alerts.level} = 'warning'`, asc(alerts.raisedAt)),
    ofApplication: async (applicationNo) => db.select().from(alerts).where(eq(alerts.applicationNo, applicationNo)).orderBy(desc(alerts.raisedAt)),
    openCount: async () =>
      db
        .select({ level: alerts.level, n: sql<number>`count(*)::int` })
        .from(alerts)
        .where(and(eq(alerts.live, true), isNull(alerts.explainedAt), open))
        .groupBy(alerts.level),

    // The sweep's reads break ties by key: a chunk reads its rows again once it has locked their applications, and
    // must find them in the same order.
    owingSteps: async (now, limit) =>
      db
        .select({
          applicationNo: applicationSteps.applicationNo,
          stepCode: applicationSteps.stepCode,
          status: applicationSteps.status,
          actualStart: applicationSteps.actualStart,
          dueAt: applicationSteps.dueAt,
          alertAt: sql<number>`${applicationSteps.alertAt}`.mapWith(Number),
          handlerId: applicationSteps.handlerId,
          teamId: handlers.teamId,
          handlerPhone: sql<string | null>`CASE WHEN ${teams.id} IS NOT NULL THEN ${handlers.phone} END`,
          processCode: applications.processCode,
        })
        .from(applicationSteps)
        .leftJoin(handlers, eq(handlers.id, applicationSteps.handlerId))
        .leftJoin(teams, eq(teams.id, handlers.teamId))
        .leftJoin(applications, eq(applications.applicationNo, applicationSteps.applicationNo))
        .where(sql`${applicationSteps.alertAt} <= ${now}`)
        .orderBy(asc(applicationSteps.alertAt), asc(applicationSteps.applicationNo), asc(applicationSteps.stepCode))
        .limit(limit),
    advanceStep: async (applicationNo, stepCode, expected, next) =>
      changedOne(
        await db
          .update(applicationSteps)
          .set({ alertAt: next })
          .where(and(eq(applicationSteps.applicationNo, applicationNo), eq(applicationSteps.stepCode, stepCode), eq(applicationSteps.alertAt, expected)))
          .returning({ stepCode: applicationSteps.stepCode }),
      ),
    owingApplications: async (now, limit) =>
      db
        .select({ applicationNo: applications.applicationNo, processCode: applications.processCode, limitAlertAt: sql<number>`${applications.limitAlertAt}`.mapWith(Number) })
        .from(applications)
        .where(sql`${applications.limitAlertAt} <= ${now}`)
        .orderBy(asc(applications.limitAlertAt), asc(applications.applicationNo))
        .limit(limit),
    clearApplicationLimit: async (applicationNo, expected) =>
      changedOne(
        await db
          .update(applications)
          .set({ limitAlertAt: null })
          .where(and(eq(applications.applicationNo, applicationNo), eq(applications.limitAlertAt, expected)))
          .returning({ applicationNo: applications.applicationNo }),
      ),
    dueForNotice: async (now, limit) =>
      db
        .select()
        .from(alerts)
        .where(and(isNull(alerts.notifiedAt), sql`${alerts.notifyAt} <= ${now}`, eq(alerts.live, true)))
        .orderBy(asc(alerts.notifyAt), asc(alerts.id))
        .limit(limit),
    claimNotice: async (id, now) =>
      changedOne(await db.update(alerts).set({ notifiedAt: now }).where(and(eq(alerts.id, id), isNull(alerts.notifiedAt))).returning({ id: alerts.id })),
    hasOverdue: async (applicationNo, stepCode, occurrence) =>
      (
        await db
          .select({ id: alerts.id })
          .from(alerts)
          .where(and(eq(alerts.applicationNo, applicationNo), eq(alerts.stepCode, stepCode), eq(alerts.occurrence, occurrence), eq(alerts.level, 'overdue')))
          .limit(1)
      ).length === 1,
    teamLeads: async (teamId) =>
      db
        .select({ id: handlers.id, phone: handlers.phone })
        .from(handlers)
        .where(and(eq(handlers.teamId, teamId), eq(handlers.role, 'team_lead'))),

    occurrencesInRange: async (from, to) =>
      db
        .select({
          applicationNo: applicationSteps.applicationNo,
          stepCode: applicationSteps.stepCode,
          processCode: applications.processCode,
          actualStart: applicationSteps.actualStart,
          actualEnd: applicationSteps.actualEnd,
          status: applicationSteps.status,
          handlerId: applicationSteps.handlerId,
          handlerName: handlers.name,
          teamId: handlers.teamId,
          teamName: teams.name,
          overdue: sql<boolean>`EXISTS (SELECT 1 FROM ${alerts} WHERE ${alerts.applicationNo} = ${applicationSteps.applicationNo}
            AND ${alerts.stepCode} = ${applicationSteps.stepCode} AND ${alerts.occurrence} = ${applicationSteps.actualStart} AND ${alerts.level} = 'overdue')`,
        })
        .from(applicationSteps)
        .innerJoin(applications, eq(applications.applicationNo, applicationSteps.applicationNo))
        .leftJoin(handlers, eq(handlers.id, applicationSteps.handlerId))
        .leftJoin(teams, eq(teams.id, handlers.teamId))
        .where(
          sql`(${applicationSteps.actualStart} BETWEEN ${from} AND ${to} OR (${applicationSteps.actualEnd} BETWEEN ${from} AND ${to} AND ${applicationSteps.status} = 'done'))`,
        ),
    stepAlertsInRange: async (from, to) =>
      db
        .select({
          stepCode: alerts.stepCode,
          applicationNo: alerts.applicationNo,
          processCode: applications.processCode,
          level: alerts.level,
          handlerId: alerts.handlerId,
          handlerName: handlers.name,
          teamId: alerts.teamId,
          teamName: teams.name,
          explained: sql<boolean>`${alerts.explainedAt} IS NOT NULL`,
        })
        .from(alerts)
        .innerJoin(applications, eq(applications.applicationNo, alerts.applicationNo))
        .leftJoin(handlers, eq(handlers.id, alerts.handlerId))
        .leftJoin(teams, eq(teams.id, alerts.teamId))
        .where(
          sql`${alerts.stepCode} <> '' AND ((${alerts.level} = 'warning' AND ${alerts.raisedAt} BETWEEN ${from} AND ${to})
            OR (${alerts.level} = 'overdue' AND ${alerts.dueAt} BETWEEN ${from} AND ${to}))`,
        ),

    teamsWithLeads: async () =>
      db
        .selectDistinct({ teamId: teams.id, teamName: teams.name })
        .from(teams)
        .innerJoin(handlers, and(eq(handlers.teamId, teams.id), eq(handlers.role, 'team_lead')))
        .orderBy(asc(teams.id)),
    recordDigest: async (teamId, weekStart, sentAt) =>
      changedOne(await db.insert(weeklyDigests).values({ teamId, weekStart, sentAt }).onConflictDoNothing().returning({ teamId: weeklyDigests.teamId })),
    teamOverdueCount: async (teamId, from, to) =>
      (
        await db
          .select({ n: sql<number>`count(*)::int` })
          .from(alerts)
          .where(and(eq(alerts.teamId, teamId), eq(alerts.level, 'overdue'), sql`${alerts.stepCode} <> ''`, sql`${alerts.dueAt} BETWEEN ${from} AND ${to}`))
      )[0]?.n ?? 0,
  };
}
