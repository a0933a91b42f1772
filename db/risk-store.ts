// Queries over risk items, their signals and audit trail, the satisfaction follow-up and the monthly exposure rows.
import { and, asc, desc, eq, gte, isNotNull, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from './client.ts';
import { applications, exposureMonths, handlers, ratings, riskAudit, riskItems, riskSignals, teams } from './schema/index.ts';
import type { StaffScope } from './staff-store.ts';

export type RiskItemRow = typeof riskItems.$inferSelect;
export type RiskSignalRow = typeof riskSignals.$inferSelect;
export type RatingRow = typeof ratings.$inferSelect;
export type ExposureMonthRow = typeof exposureMonths.$inferSelect;

export function createRiskStore(db: Db) {
  function scope(who: StaffScope): SQL | undefined {
    if (who.role === 'admin') return undefined;
    // an item with no known team is for every team lead
    if (who.role === 'team_lead') return or(eq(riskItems.teamId, who.teamId), isNull(riskItems.teamId));
    return eq(riskItems.handlerId, who.handlerId);
  }

  return {
    item: (id: string) => db.select().from(riskItems).where(eq(riskItems.id, id)).get(),
    itemOfApplication: (applicationNo: string) => db.select().from(riskItems).where(eq(riskItems.applicationNo, applicationNo)).get(),
    insertItem: (row: typeof riskItems.$inferInsert) => db.insert(riskItems).values(row).run(),
    updateItem: (id: string, fields: Partial<typeof riskItems.$inferInsert>) => db.update(riskItems).set(fields).where(eq(riskItems.id, id)).run(),
    countItemsSince: (from: number) => db.select({ n: sql<number>`count(*)` }).from(riskItems).where(gte(riskItems.openedAt, from)).get()?.n ?? 0,
    /** Open items first, by tier (urgent first), then oldest first; items closed since `closedSince` after them. */
    queue(who: StaffScope, closedSince: number): RiskItemRow[] {
      return db
        .select()
        .from(riskItems)
        .where(and(scope(who), or(eq(riskItems.status, 'open'), gte(riskItems.closedAt, closedSince))))
        .orderBy(
          sql`${riskItems.status} = 'closed'`,
          sql`CASE ${riskItems.tier} WHEN 'urgent' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END`,
          asc(riskItems.raisedAt),
          asc(riskItems.id),
        )
        .all();
    },
    /** Urgent items whose text to the team lead is owed by `now`. */
    textsDue: (now: number) => db.select().from(riskItems).where(and(isNotNull(riskItems.textAt), lte(riskItems.textAt, now))).all(),
    /** Open items whose handling limit (handleBy) is past at `now` and that are not urgent yet. */
    overdueBelowUrgent: (now: number) =>
      db
        .select()
        .from(riskItems)
        .where(and(eq(riskItems.status, 'open'), isNotNull(riskItems.handleBy), lt(riskItems.handleBy, now), sql`${riskItems.tier} <> 'urgent'`))
        .all(),
    openCount: () =>
      db.select({ tier: riskItems.tier, n: sql<number>`count(*)` }).from(riskItems).where(eq(riskItems.status, 'open')).groupBy(riskItems.tier).all(),

    insertSignal: (row: typeof riskSignals.$inferInsert) => db.insert(riskSignals).values(row).returning({ id: riskSignals.id }).get().id,
    attachSignal: (id: number, itemId: string) => db.update(riskSignals).set({ itemId }).where(eq(riskSignals.id, id)).run(),
    signalsOfApplication: (applicationNo: string) =>
      db.select().from(riskSignals).where(eq(riskSignals.applicationNo, applicationNo)).orderBy(asc(riskSignals.at), asc(riskSignals.id)).all(),
    signalsOfItem: (itemId: string) => db.select().from(riskSignals).where(eq(riskSignals.itemId, itemId)).orderBy(asc(riskSignals.at), asc(riskSignals.id)).all(),
    hasSignal: (applicationNo: string, kind: RiskSignalRow['kind']) =>
      db.select({ id: riskSignals.id }).from(riskSignals).where(and(eq(riskSignals.applicationNo, applicationNo), eq(riskSignals.kind, kind))).limit(1).get() !== undefined,

    audit: (itemId: string, action: (typeof riskAudit.$inferInsert)['action'], actor: string, at: number, detail: string | null = null) =>
      db.insert(riskAudit).values({ itemId, action, actor, at, detail }).run(),
    auditOf: (itemId: string) => db.select().from(riskAudit).where(eq(riskAudit.itemId, itemId)).orderBy(asc(riskAudit.id)).all(),

    /** Applications whose limit-risk signal is owed by `now`. */
    limitRisksDue: (now: number) =>
      db
        .select({ applicationNo: applications.applicationNo })
        .from(applications)
        .where(and(isNotNull(applications.riskLimitAt), lte(applications.riskLimitAt, now)))
        .all(),
    clearLimitRisk: (applicationNo: string) => db.update(applications).set({ riskLimitAt: null }).where(eq(applications.applicationNo, applicationNo)).run(),

    rating: (applicationNo: string) => db.select().from(ratings).where(eq(ratings.applicationNo, applicationNo)).get(),
    /** Records that the question was asked; a second switch-on (a re-sync) does not ask again. True when asked now. */
    askRating: (row: { applicationNo: string; teamId: string | null; handlerId: string | null; askedAt: number }) =>
      db.insert(ratings).values(row).onConflictDoNothing().run().changes === 1,
    /** Application numbers asked to rate whose application phone is `phone`, newest question first. */
    ratingsOfPhone: (phone: string) =>
      db
        .select({ applicationNo: ratings.applicationNo })
        .from(ratings)
        .innerJoin(applications, eq(applications.applicationNo, ratings.applicationNo))
        .where(eq(applications.phone, phone))
        .orderBy(desc(ratings.askedAt))
        .all()
        .map((r) => r.applicationNo),
    /** The application registered with `phone` a complaint by SMS from it is about: an active one first, then the newest. */
    applicationOfPhone: (phone: string) =>
      db
        .select({ applicationNo: applications.applicationNo })
        .from(applications)
        .where(eq(applications.phone, phone))
        .orderBy(sql`${applications.status} = 'active' DESC`, desc(applications.acceptedAt), asc(applications.applicationNo))
        .limit(1)
        .get()?.applicationNo ?? null,
    updateRating: (applicationNo: string, fields: Partial<typeof ratings.$inferInsert>) =>
      db.update(ratings).set(fields).where(eq(ratings.applicationNo, applicationNo)).run(),

    /** Risk items opened in [from, to), with their closing times, for the statistics and the monthly report. */
    itemsOpenedIn: (from: number, to: number) =>
      db.select().from(riskItems).where(and(gte(riskItems.openedAt, from), lt(riskItems.openedAt, to))).all(),
    /** Every signal in [from, to). */
    signalsIn: (from: number, to: number) => db.select().from(riskSignals).where(and(gte(riskSignals.at, from), lt(riskSignals.at, to))).all(),
    /** Urgent signals in [from, to): the items that were urgent then, by team. */
    urgentItemsIn: (from: number, to: number) =>
      db
        .selectDistinct({ itemId: riskSignals.itemId, teamId: riskSignals.teamId })
        .from(riskSignals)
        .where(and(gte(riskSignals.at, from), lt(riskSignals.at, to), eq(riskSignals.tier, 'urgent'), isNotNull(riskSignals.itemId)))
        .all(),
    teams: () => db.select({ id: teams.id, name: teams.name }).from(teams).orderBy(asc(teams.id)).all(),
    admins: () => db.select({ id: handlers.id, name: handlers.name, phone: handlers.phone }).from(handlers).where(eq(handlers.role, 'admin')).orderBy(asc(handlers.id)).all(),
    ratingsAskedIn: (from: number, to: number) => db.select().from(ratings).where(and(gte(ratings.askedAt, from), lt(ratings.askedAt, to))).all(),
    ratingsGivenIn: (from: number, to: number) => db.select().from(ratings).where(and(gte(ratings.ratedAt, from), lt(ratings.ratedAt, to))).all(),

    exposureRows: (month: string) => db.select().from(exposureMonths).where(eq(exposureMonths.month, month)).orderBy(asc(exposureMonths.teamId)).all(),
    exposureHistory: (teamId: string, beforeMonth: string, months: number) =>
      db
        .select()
        .from(exposureMonths)
        .where(and(eq(exposureMonths.teamId, teamId), lt(exposureMonths.month, beforeMonth)))
        .orderBy(desc(exposureMonths.month))
        .limit(months)
        .all(),
    insertExposure: (row: typeof exposureMonths.$inferInsert) => db.insert(exposureMonths).values(row).onConflictDoNothing().run().changes === 1,
  };
}

export type RiskStore = ReturnType<typeof createRiskStore>;
