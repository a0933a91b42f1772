// Time limits' store (server/time-limits/alert-store.ts) on SQLite: alerts, the step and application time limits the
// SLA sweep reads, the statistics' facts and the weekly digests sent.
import { and, asc, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { alerts, applications, applicationSteps, handlers, teams, weeklyDigests } from '../schema/index.ts';
import type { StaffScope } from '../../server/staff/staff-accounts.ts';
import type { Alert, AlertStore, OwingStep } from '../../server/time-limits/alert-store.ts';


const p = sql.placeholder;


export function createSqliteAlertStore(db: Db): AlertStore {
  function scope(who: StaffScope): SQL | undefined {
    if (who.role === 'admin') return undefined;
    if (who.role === 'team_lead') return eq(alerts.teamId, who.teamId);
    return eq(alerts.handlerId, who.handlerId);
  }
  // An overdue alert stays until explained; a warning also leaves once its occurrence is no longer under way.
  const open = sql`(${alerts.level} = 'overdue' OR EXISTS (SELECT 1 FROM ${applicationSteps} s WHERE s.application_no = ${alerts.applicationNo}
    AND s.step_code = ${alerts.stepCode} AND s.status = 'in_progress' AND s.actual_start = ${alerts.occurrence}))`;

  // The sweep's hot statements, prepared once: each reads only rows it acts on, through partial indexes.
  // One statement gives the sweep all it needs per alert (the process for the step's name, the handler's phone), so
  // raising and texting an alert in working time reads nothing else but the team's leads.
  const owingSteps = db
    .select({
      applicationNo: applicationSteps.applicationNo,
      stepCode: applicationSteps.stepCode,
      status: applicationSteps.status,
      actualStart: applicationSteps.actualStart,
      dueAt: applicationSteps.dueAt,
      alertAt: sql<number>`${applicationSteps.alertAt}`,
      handlerId: applicationSteps.handlerId,
      teamId: handlers.teamId,
      handlerPhone: sql<string | null>`CASE WHEN ${teams.id} IS NOT NULL THEN ${handlers.phone} END`,
      processCode: applications.processCode,
    })
    .from(applicationSteps)
    .leftJoin(handlers, eq(handlers.id, applicationSteps.handlerId))
    .leftJoin(teams, eq(teams.id, handlers.teamId))
    .leftJoin(applications, eq(applications.applicationNo, applicationSteps.applicationNo))
    .where(sql`${applicationSteps.alertAt} <= ${p('now')}`)
    .orderBy(asc(applicationSteps.alertAt))
    .limit(p('limit'))
    .prepare();
  const advanceStep = db
    .update(applicationSteps)
    .set({ alertAt: sql`${p('next')}` })
    .where(and(eq(applicationSteps.applicationNo, p('applicationNo')), eq(applicationSteps.stepCode, p('stepCode')), eq(applicationSteps.alertAt, p('expected'))))
    .prepare();
  const insertAlert = db
    .insert(alerts)
    .values({
      id: p('id'),
      applicationNo: p('applicationNo'),
      stepCode: p('stepCode'),
      occurrence: p('occurrence'),
      handlerId: p('handlerId'),
      teamId: p('teamId'),
      level: p('level'),
      dueAt: p('dueAt'),
      raisedAt: p('raisedAt'),
      live: p('live'),
      notifyAt: p('notifyAt'),
      notifiedAt: p('notifiedAt'),
    })
    .onConflictDoNothing()
    .prepare();
  const owingApplications = db
    .select({ applicationNo: applications.applicationNo, processCode: applications.processCode, limitAlertAt: sql<number>`${applications.limitAlertAt}` })
    .from(applications)
    .where(sql`${applications.limitAlertAt} <= ${p('now')}`)
    .orderBy(asc(applications.limitAlertAt))
    .limit(p('limit'))
    .prepare();
  const clearLimit = db
    .update(applications)
    .set({ limitAlertAt: null })
    .where(and(eq(applications.applicationNo, p('applicationNo')), eq(applications.limitAlertAt, p('expected'))))
    .prepare();
  const dueForNotice = db
    .select()
    .from(alerts)
    .where(and(isNull(alerts.notifiedAt), sql`${alerts.notifyAt} <= ${p('now')}`, eq(alerts.live, true)))
    .orderBy(asc(alerts.notifyAt))
    .limit(p('limit'))
    .prepare();
  const claimNotice = db
    .update(alerts)
    .set({ notifiedAt: sql`${p('now')}` })
    .where(and(eq(alerts.id, p('id')), isNull(alerts.notifiedAt)))
    .prepare();
  const overdueOf = db
    .select({ id: alerts.id })
    .from(alerts)
    .where(and(eq(alerts.applicationNo, p('applicationNo')), eq(alerts.stepCode, p('stepCode')), eq(alerts.occurrence, p('occurrence')), eq(alerts.level, 'overdue')))
    .limit(1)
    .prepare();
  const teamLeadsOf = db
    .select({ id: handlers.id, phone: handlers.phone })
    .from(handlers)
    .where(and(eq(handlers.teamId, p('teamId')), eq(handlers.role, 'team_lead')))
    .prepare();

  // False when an alert of that level already exists for the step occurrence: the unique index is what makes
  // restarts, overlapping sweeps and a CLI sweep beside the server raise each alert at most once.
  const insert = (row: Alert) =>
    insertAlert.run({
      ...row,
      live: row.live ? 1 : 0,
      // set by a sweep that texts the alert in the transaction that raises it: the insert is then the claim
      notifiedAt: row.notifiedAt,
    }).changes === 1;

  return {
    insert: async (row) => insert(row),
    byId: async (id: string) => db.select().from(alerts).where(eq(alerts.id, id)).get(),
    explain: async (id: string, explanation: { text: string; at: number; by: string }) => {
      db.update(alerts).set({ explanation: explanation.text, explainedAt: explanation.at, explainedBy: explanation.by }).where(eq(alerts.id, id)).run();
    },
    /** The queue: live alerts not yet closed, overdue first, oldest first. */
    queue: async (who: StaffScope) =>
      db
        .select()
        .from(alerts)
        .where(and(scope(who), eq(alerts.live, true), isNull(alerts.explainedAt), open))
        .orderBy(sql`${alerts.level} = 'warning'`, asc(alerts.raisedAt))
        .all(),
    ofApplication: async (applicationNo: string) =>
      db.select().from(alerts).where(eq(alerts.applicationNo, applicationNo)).orderBy(desc(alerts.raisedAt)).all(),
    openCount: async () =>
      db
        .select({ level: alerts.level, n: sql<number>`count(*)` })
        .from(alerts)
        .where(and(eq(alerts.live, true), isNull(alerts.explainedAt), open))
        .groupBy(alerts.level)
        .all(),

    // ---- the sweep ----
    owingSteps: async (now: number, limit: number): Promise<OwingStep[]> => owingSteps.all({ now, limit }),
    /** Moves a step on to its next owed alert, unless a re-plan changed it meanwhile. */
    advanceStep: async (applicationNo: string, stepCode: string, expected: number, next: number | null) =>
      advanceStep.run({ applicationNo, stepCode, expected, next }).changes === 1,
    owingApplications: async (now: number, limit: number) => owingApplications.all({ now, limit }),
    clearApplicationLimit: async (applicationNo: string, expected: number) => clearLimit.run({ applicationNo, expected }).changes === 1,
    /** Live alerts whose SMS is due (raised in, or released into, working time) and not yet sent. */
    dueForNotice: async (now: number, limit: number) => dueForNotice.all({ now, limit }),
    /** True for the one caller that may send the alert's SMS. */
    claimNotice: async (id: string, now: number) => claimNotice.run({ id, now }).changes === 1,
    /** Whether the step occurrence has its overdue alert (live or recorded), through the alerts' unique index. */
    hasOverdue: async (applicationNo: string, stepCode: string, occurrence: number) => overdueOf.get({ applicationNo, stepCode, occurrence }) !== undefined,
    /** The team's leads, through a statement prepared once. */
    teamLeads: async (teamId: string) => teamLeadsOf.all({ teamId }),

    // ---- statistics ----
    /** Utility and customer step occurrences that started or ended in [from, to], with their handler and team. */
    occurrencesInRange: async (from: number, to: number) =>
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
          overdue: sql<number>`EXISTS (SELECT 1 FROM ${alerts} WHERE ${alerts.applicationNo} = ${applicationSteps.applicationNo}
            AND ${alerts.stepCode} = ${applicationSteps.stepCode} AND ${alerts.occurrence} = ${applicationSteps.actualStart} AND ${alerts.level} = 'overdue')`,
        })
        .from(applicationSteps)
        .innerJoin(applications, eq(applications.applicationNo, applicationSteps.applicationNo))
        .leftJoin(handlers, eq(handlers.id, applicationSteps.handlerId))
        .leftJoin(teams, eq(teams.id, handlers.teamId))
        .where(
          sql`(${applicationSteps.actualStart} BETWEEN ${from} AND ${to} OR (${applicationSteps.actualEnd} BETWEEN ${from} AND ${to} AND ${applicationSteps.status} = 'done'))`,
        )
        .all(),
    /** Step-level alerts counted in [from, to]: warnings by when raised, overdue ones by when the step was due. */
    stepAlertsInRange: async (from: number, to: number) =>
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
          explained: sql<number>`${alerts.explainedAt} IS NOT NULL`,
        })
        .from(alerts)
        .innerJoin(applications, eq(applications.applicationNo, alerts.applicationNo))
        .leftJoin(handlers, eq(handlers.id, alerts.handlerId))
        .leftJoin(teams, eq(teams.id, alerts.teamId))
        .where(
          sql`${alerts.stepCode} <> '' AND ((${alerts.level} = 'warning' AND ${alerts.raisedAt} BETWEEN ${from} AND ${to})
            OR (${alerts.level} = 'overdue' AND ${alerts.dueAt} BETWEEN ${from} AND ${to}))`,
        )
        .all(),

    // ---- weekly digest ----
    /** Teams with at least one team lead, who get the digest. */
    teamsWithLeads: async () =>
      db
        .selectDistinct({ teamId: teams.id, teamName: teams.name })
        .from(teams)
        .innerJoin(handlers, and(eq(handlers.teamId, teams.id), eq(handlers.role, 'team_lead')))
        .orderBy(asc(teams.id))
        .all(),
    /** False when the team's digest for that week was already sent. */
    recordDigest: async (teamId: string, weekStart: string, sentAt: number) =>
      db.insert(weeklyDigests).values({ teamId, weekStart, sentAt }).onConflictDoNothing().run().changes === 1,
    /** The team's step occurrences that went overdue in [from, to] (live or recorded after the fact). */
    teamOverdueCount: async (teamId: string, from: number, to: number) =>
      db
        .select({ n: sql<number>`count(*)` })
        .from(alerts)
        .where(and(eq(alerts.teamId, teamId), eq(alerts.level, 'overdue'), sql`${alerts.stepCode} <> ''`, sql`${alerts.dueAt} BETWEEN ${from} AND ${to}`))
        .get()?.n ?? 0,
  };
}

