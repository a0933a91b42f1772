// Complaint risk's store (server/risks/risk-store.ts) on SQLite: risk items, their signals and audit trail, the
// satisfaction follow-up and the monthly exposure rows. Writes are serialised by the unit of work's queue, so
// `lockApplication` has nothing to do here.
import { and, asc, desc, eq, gte, isNotNull, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { applications, exposureMonths, handlers, ratings, riskAudit, riskItems, riskSignals, teams } from '../schema/index.ts';
import type { StaffScope } from '../../server/staff/staff-accounts.ts';
import type { RiskRuleName } from '../../server/domain/risk.ts';
import type { RiskSignal, RiskStore } from '../../server/risks/risk-store.ts';

type SignalRow = typeof riskSignals.$inferSelect;

const signalOf = (row: SignalRow): RiskSignal => ({ ...row, rules: JSON.parse(row.rules) as RiskRuleName[] });

export function createSqliteRiskStore(db: Db): RiskStore {
  function scope(who: StaffScope): SQL | undefined {
    if (who.role === 'admin') return undefined;
    // an item with no known team is for every team lead
    if (who.role === 'team_lead') return or(eq(riskItems.teamId, who.teamId), isNull(riskItems.teamId));
    return eq(riskItems.handlerId, who.handlerId);
  }

  return {
    lockApplication: async () => undefined,

    item: async (id) => db.select().from(riskItems).where(eq(riskItems.id, id)).get() ?? null,
    itemOfApplication: async (applicationNo) => db.select().from(riskItems).where(eq(riskItems.applicationNo, applicationNo)).get() ?? null,
    async insertItem(item) {
      db.insert(riskItems).values(item).run();
    },
    async updateItem(id, change) {
      db.update(riskItems).set(change).where(eq(riskItems.id, id)).run();
    },
    countItemsSince: async (from) => db.select({ n: sql<number>`count(*)` }).from(riskItems).where(gte(riskItems.openedAt, from)).get()?.n ?? 0,
    queue: async (who, closedSince) =>
      db
        .select()
        .from(riskItems)
        .where(and(scope(who), or(eq(riskItems.status, 'open'), gte(riskItems.closedAt, closedSince))))
        .orderBy(
          sql`${riskItems.status} = 'closed'`,
          sql`CASE ${riskItems.tier} WHEN 'urgent' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END`,
          asc(riskItems.raisedAt),
          asc(riskItems.id),
        )
        .all(),
    textsDue: async (now) => db.select().from(riskItems).where(and(isNotNull(riskItems.textAt), lte(riskItems.textAt, now))).orderBy(asc(riskItems.id)).all(),
    overdueBelowUrgent: async (now) =>
      db
        .select()
        .from(riskItems)
        .where(and(eq(riskItems.status, 'open'), isNotNull(riskItems.handleBy), lt(riskItems.handleBy, now), sql`${riskItems.tier} <> 'urgent'`))
        .orderBy(asc(riskItems.id))
        .all(),
    openCount: async () =>
      db.select({ tier: riskItems.tier, n: sql<number>`count(*)` }).from(riskItems).where(eq(riskItems.status, 'open')).groupBy(riskItems.tier).orderBy(asc(riskItems.tier)).all(),

    insertSignal: async (signal) =>
      db
        .insert(riskSignals)
        .values({ ...signal, rules: JSON.stringify(signal.rules) })
        .returning({ id: riskSignals.id })
        .get().id,
    async attachSignal(id, itemId) {
      db.update(riskSignals).set({ itemId }).where(eq(riskSignals.id, id)).run();
    },
    signalsOfApplication: async (applicationNo) =>
      db.select().from(riskSignals).where(eq(riskSignals.applicationNo, applicationNo)).orderBy(asc(riskSignals.at), asc(riskSignals.id)).all().map(signalOf),
    signalsOfItem: async (itemId) => db.select().from(riskSignals).where(eq(riskSignals.itemId, itemId)).orderBy(asc(riskSignals.at), asc(riskSignals.id)).all().map(signalOf),

    async audit(itemId, action, actor, at, detail = null) {
      db.insert(riskAudit).values({ itemId, action, actor, at, detail }).run();
    },
    auditOf: async (itemId) =>
      db.select({ action: riskAudit.action, actor: riskAudit.actor, at: riskAudit.at, detail: riskAudit.detail }).from(riskAudit).where(eq(riskAudit.itemId, itemId)).orderBy(asc(riskAudit.id)).all(),

    limitRisksDue: async (now) =>
      db
        .select({ applicationNo: applications.applicationNo })
        .from(applications)
        .where(and(isNotNull(applications.riskLimitAt), lte(applications.riskLimitAt, now)))
        .orderBy(asc(applications.applicationNo))
        .all()
        .map((r) => r.applicationNo),
    async clearLimitRisk(applicationNo) {
      db.update(applications).set({ riskLimitAt: null }).where(eq(applications.applicationNo, applicationNo)).run();
    },
    applicationOfPhone: async (phone) =>
      db
        .select({ applicationNo: applications.applicationNo })
        .from(applications)
        .where(eq(applications.phone, phone))
        .orderBy(sql`${applications.status} = 'active' DESC`, desc(applications.acceptedAt), asc(applications.applicationNo))
        .limit(1)
        .get()?.applicationNo ?? null,

    rating: async (applicationNo) => db.select().from(ratings).where(eq(ratings.applicationNo, applicationNo)).get() ?? null,
    askRating: async (asked) => db.insert(ratings).values(asked).onConflictDoNothing().run().changes === 1,
    async answerRating(applicationNo, answer) {
      db.update(ratings).set(answer).where(eq(ratings.applicationNo, applicationNo)).run();
    },
    ratingsOfPhone: async (phone) =>
      db
        .select({ applicationNo: ratings.applicationNo })
        .from(ratings)
        .innerJoin(applications, eq(applications.applicationNo, ratings.applicationNo))
        .where(eq(applications.phone, phone))
        .orderBy(desc(ratings.askedAt), asc(ratings.applicationNo))
        .all()
        .map((r) => r.applicationNo),

    itemsOpenedIn: async (from, to) => db.select().from(riskItems).where(and(gte(riskItems.openedAt, from), lt(riskItems.openedAt, to))).orderBy(asc(riskItems.id)).all(),
    signalsIn: async (from, to) =>
      db.select().from(riskSignals).where(and(gte(riskSignals.at, from), lt(riskSignals.at, to))).orderBy(asc(riskSignals.at), asc(riskSignals.id)).all().map(signalOf),
    urgentItemsIn: async (from, to) =>
      db
        .selectDistinct({ itemId: sql<string>`${riskSignals.itemId}`, teamId: riskSignals.teamId })
        .from(riskSignals)
        .where(and(gte(riskSignals.at, from), lt(riskSignals.at, to), eq(riskSignals.tier, 'urgent'), isNotNull(riskSignals.itemId)))
        .orderBy(asc(riskSignals.itemId), asc(riskSignals.teamId))
        .all(),
    ratingsAskedIn: async (from, to) => db.select().from(ratings).where(and(gte(ratings.askedAt, from), lt(ratings.askedAt, to))).orderBy(asc(ratings.applicationNo)).all(),
    ratingsGivenIn: async (from, to) => db.select().from(ratings).where(and(gte(ratings.ratedAt, from), lt(ratings.ratedAt, to))).orderBy(asc(ratings.applicationNo)).all(),
    teams: async () => db.select({ id: teams.id, name: teams.name }).from(teams).orderBy(asc(teams.id)).all(),
    admins: async () => db.select({ id: handlers.id, name: handlers.name, phone: handlers.phone }).from(handlers).where(eq(handlers.role, 'admin')).orderBy(asc(handlers.id)).all(),

    exposureRows: async (month) => db.select().from(exposureMonths).where(eq(exposureMonths.month, month)).orderBy(asc(exposureMonths.teamId)).all(),
    exposureHistory: async (teamId, beforeMonth, months) =>
      db
        .select()
        .from(exposureMonths)
        .where(and(eq(exposureMonths.teamId, teamId), lt(exposureMonths.month, beforeMonth)))
        .orderBy(desc(exposureMonths.month))
        .limit(months)
        .all(),
    insertExposure: async (row) => db.insert(exposureMonths).values(row).onConflictDoNothing().run().changes === 1,
  };
}
